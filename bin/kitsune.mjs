#!/usr/bin/env node
// Launcher: kitsune runs its TypeScript sources through tsx (a runtime dependency).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/kitsune.ts');
