import assert from 'node:assert/strict';
import { isArangoError } from 'arangojs/errors';

/** Runs `fn`, expecting arangojs to throw an ArangoDB error; returns `[httpStatus, errorNum]`. */
export async function failure(fn: () => Promise<unknown>): Promise<[number | undefined, number]> {
  const e = await arangoFailure(fn);
  return [e.code, e.errorNum];
}

/** Runs `fn`, expecting an ArangoDB error; returns it (status, errorNum, message). */
export async function arangoFailure(fn: () => Promise<unknown>): Promise<{ code: number | undefined; errorNum: number; message: string }> {
  try {
    await fn();
  } catch (err) {
    if (isArangoError(err)) return { code: err.code, errorNum: err.errorNum, message: err.message };
    throw err;
  }
  assert.fail('expected an ArangoDB error');
}
