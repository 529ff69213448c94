// Keeps the real endpoint name (so the TC3 scope stays `kms`, taken by the SDK from the endpoint's first
// DNS label, and the Host header stays the provider's) while the connection goes where the user pointed
// it: the loopback simulator or a private endpoint.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export function routingAgent(target: URL, serverName: string): HttpAgent {
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (target.protocol === 'https:') {
    const agent = new HttpsAgent({ keepAlive: true });
    agent.createConnection = () => tlsConnect({ host, port, servername: serverName }) as unknown as Socket;
    return agent as unknown as HttpAgent;
  }
  const agent = new HttpAgent({ keepAlive: true });
  agent.createConnection = () => netConnect({ host, port });
  return agent;
}
