// Query worker bootstrap: the worker runs TypeScript sources through tsx, like bin/kitsune.mjs.
import { register } from 'tsx/esm/api';

register();
await import('./query-worker-main.ts');
