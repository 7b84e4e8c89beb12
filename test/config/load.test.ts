import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, redactedConfig } from '../../src/config/index.ts';

describe('configuration', () => {
  it('applies defaults, then the environment, then flags', () => {
    const dflt = loadConfig([], {});
    assert.deepEqual([dflt.port, dflt.host, dflt.dataDir, dflt.auth], [8529, '127.0.0.1', './data', true]);
    const env = loadConfig([], { KITSUNE_PORT: '9000', KITSUNE_AUTH: 'false' });
    assert.deepEqual([env.port, env.auth], [9000, false]);
    const flags = loadConfig(['--port', '0', '--auth=true', '--data-dir', '/tmp/x', '--foxx.workers', '3'], { KITSUNE_PORT: '9000', KITSUNE_AUTH: 'false' });
    assert.deepEqual([flags.port, flags.auth, flags.dataDir, flags.foxxWorkers], [0, true, '/tmp/x', 3]);
    assert.ok(Object.isFrozen(flags));
  });

  it('refuses unknown flags and bad values with a ConfigError', () => {
    assert.throws(() => loadConfig(['--nope', '1'], {}), ConfigError);
    assert.throws(() => loadConfig(['--port', 'abc'], {}), ConfigError);
    assert.throws(() => loadConfig(['--port', '70000'], {}), ConfigError);
    assert.throws(() => loadConfig(['--auth', 'maybe'], {}), ConfigError);
    assert.throws(() => loadConfig(['--mode', 'activefailover'], {}), /--agency/);
  });

  it('redacts secrets when printing the configuration', () => {
    const c = loadConfig([], { KITSUNE_ROOT_PASSWORD: 'hunter2' });
    assert.equal(c.rootPassword, 'hunter2');
    assert.equal(redactedConfig(c)['root-password'], '***');
  });
});
