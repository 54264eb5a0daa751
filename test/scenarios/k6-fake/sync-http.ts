import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { K6Fake } from './fake.ts';

/** Runs each request on a worker thread and blocks until it answers: k6's http is synchronous, fetch is not. */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const signal = new Int32Array(workerData.signal);
parentPort.on('message', async ({ method, url, body, headers }) => {
  let reply;
  try {
    const response = await fetch(url, { method, headers, body: body ?? undefined, redirect: 'manual' });
    const text = await response.text();
    let parsed;
    try { parsed = text ? JSON.parse(text) : undefined; } catch {}
    const responseHeaders = {};
    for (const [name, value] of response.headers) if (name !== 'set-cookie') responseHeaders[name] = value;
    reply = { status: response.status, body: parsed, text, headers: responseHeaders, setCookies: response.headers.getSetCookie() };
  } catch (error) {
    reply = { status: 0, body: { error: String(error) } };
  }
  workerData.port.postMessage(reply);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
`;

/** A `respond` for the fake k6 that sends the requests for real, and a way to stop its worker. */
export function syncHttp(): { respond: K6Fake['respond']; close: () => Promise<number> } {
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: { signal: signal.buffer, port: port2 },
    transferList: [port2],
  });
  return {
    respond(method, url, body, headers) {
      Atomics.store(signal, 0, 0);
      worker.postMessage({ method, url, body, headers });
      if (Atomics.wait(signal, 0, 0, 30_000) === 'timed-out') throw new Error(`${method} ${url}: no answer in 30 s`);
      return receiveMessageOnPort(port1)!.message;
    },
    close: () => worker.terminate(),
  };
}
