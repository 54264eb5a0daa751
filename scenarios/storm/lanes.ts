import type { Send, StormClient } from './client.ts';

/** After a request that got no answer, a lane waits this long: a refused connection must not spin the loop. */
const noAnswerPauseMs = 100;

/**
 * Runs every client's `parallel` lanes: each lane sends the client's requests one after another (closed loop) until
 * `stop()` says so or its client is signed out. All lanes start in the same tick, so after a clock jump every client
 * fires its parallel requests at once: the burst a real expiry causes. Resolves once every lane has finished its
 * last request.
 */
export async function runLanes(
  clients: readonly StormClient[],
  parallel: number,
  send: Send,
  stop: () => boolean,
): Promise<void> {
  const lane = async (client: StormClient) => {
    while (!stop() && !client.signedOut) {
      if (!(await client.request(send)) && !stop())
        await new Promise((resolve) => setTimeout(resolve, noAnswerPauseMs));
    }
  };
  await Promise.all(clients.flatMap((client) => Array.from({ length: parallel }, () => lane(client))));
}

/** Every client sends one request, all at once: a round that moves every session's idle timer. */
export async function oneRequestEach(clients: readonly StormClient[], send: Send): Promise<void> {
  await Promise.all(clients.map((client) => client.request(send)));
}
