import { connect, createServer } from 'node:net';

/*
 * Relays TCP to a unix socket. Run inside a network namespace it makes an engine reachable only
 * over a veth pair, as a remote engine is over a VPN, so that the link can be cut under it.
 * Usage: node tcp-to-unix.ts <listen address> <port> <unix socket>
 */
const [address = '127.0.0.1', port = '2375', socket = '/var/run/docker.sock'] = process.argv.slice(2);
createServer((client) => {
  const engine = connect(socket);
  client.pipe(engine).pipe(client);
  client.on('error', () => engine.destroy());
  engine.on('error', () => client.destroy());
}).listen(Number(port), address, () => process.stdout.write('listening\n'));
