import { createServer } from 'node:http';
import { closeServer, listenOnLoopback, serveInChild } from '../../load/child-server.ts';

/** Calibration: the fastest a Node HTTP server answers a small JSON body on this machine, right now. */
let count = 0;
const server = createServer((_request, response) => {
  const body = JSON.stringify({ count: ++count });
  response.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
});

await serveInChild({ listen: () => listenOnLoopback(server), close: () => closeServer(server) });
