/**
 * The request/reply mechanism the embedding and graph threads share, against a real worker thread whose
 * script answers out of order, fails on request and exits on request.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { threadRequests } from '../../src/adapters/threads/requests.js';

type Ask = { op: 'echo'; value: number; delayMs: number } | { op: 'fail' } | { op: 'exit' };
type Reply = { id: number; value: number } | { id: number; error: string };

const ANSWERING = `
  const { parentPort } = process.getBuiltinModule('node:worker_threads');
  parentPort.postMessage({ hello: true });
  parentPort.on('message', (ask) => {
    if (ask.op === 'exit') process.exit(3);
    if (ask.op === 'fail') return parentPort.postMessage({ id: ask.id, error: 'no such thing' });
    if (ask.op === 'note') return parentPort.postMessage({ noted: ask.value });
    setTimeout(() => parentPort.postMessage({ id: ask.id, value: ask.value * 2 }), ask.delayMs);
  });`;

function answering(notices: unknown[] = [], stops: Error[] = []) {
  return threadRequests<Ask, Reply, number>(new Worker(ANSWERING, { eval: true }), {
    settle: (reply) => ('value' in reply ? reply.value : new Error(reply.error)),
    stopped: (cause) => new Error(`the test thread stopped: ${cause.message}`),
    onNotice: (message) => notices.push(message),
    onStop: (error) => stops.push(error),
  });
}

test('each reply settles the request whose id it repeats, in whatever order they come back', async () => {
  const notices: unknown[] = [];
  const thread = answering(notices);
  const values = await Promise.all([
    thread.request({ op: 'echo', value: 1, delayMs: 60 }),
    thread.request({ op: 'echo', value: 2, delayMs: 0 }),
    thread.request({ op: 'echo', value: 3, delayMs: 30 }),
  ]);
  assert.deepEqual(values, [2, 4, 6]);
  await assert.rejects(thread.request({ op: 'fail' }), /no such thing/);
  // A message without an id is a notice, not a reply; told messages are not answered.
  thread.tell({ op: 'note', value: 7 });
  assert.equal(await thread.request({ op: 'echo', value: 5, delayMs: 0 }), 10);
  assert.deepEqual(notices, [{ hello: true }, { noted: 7 }]);
  await thread.request({ op: 'exit' }).catch(() => undefined);
});

test('when the thread stops, what is pending and what comes later rejects with why', async () => {
  const stops: Error[] = [];
  const thread = answering([], stops);
  const slow = thread.request({ op: 'echo', value: 1, delayMs: 10_000 });
  const exiting = thread.request({ op: 'exit' });
  await assert.rejects(slow, /the test thread stopped: exit 3/);
  await assert.rejects(exiting, /the test thread stopped: exit 3/);
  await assert.rejects(thread.request({ op: 'echo', value: 1, delayMs: 0 }), /stopped: exit 3/);
  assert.doesNotThrow(() => thread.tell({ op: 'note', value: 1 }));
  assert.equal(stops.length, 1);
});

test('a thread holds its process only while a request is pending', () => {
  const module = new URL('../../src/adapters/threads/requests.js', import.meta.url).href;
  // The process ends by itself once its last reply is in, with the thread still running; while the reply
  // is pending (200 ms) nothing else keeps it alive.
  const script = `
    const { Worker } = await import('node:worker_threads');
    const { threadRequests } = await import(${JSON.stringify(module)});
    const thread = threadRequests(new Worker(${JSON.stringify(ANSWERING)}, { eval: true }), {
      settle: (reply) => reply.value,
      stopped: (cause) => cause,
    });
    const value = await thread.request({ op: 'echo', value: 21, delayMs: 200 });
    process.stdout.write(String(value));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(output, '42');
});
