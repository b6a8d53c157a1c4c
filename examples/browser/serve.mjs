// `npm run demo [-- --port 8080]`: serves the demo page on 127.0.0.1 until Ctrl-C.

import { Command, InvalidArgumentError } from 'commander';
import { startDemoServer } from './demoServer.mjs';

const port = (text) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return value;
};
const options = new Command('demo')
  .description('Serve the Distillery demo page')
  .option('--port <port>', 'port to listen on (0: any free one)', port, 8080)
  .option('--host <host>', 'address to listen on; the page trains anywhere, insecure hosts included', '127.0.0.1')
  .configureOutput({ outputError: (text, write) => write(`${text.split('\n')[0]}\n`) })
  .parse()
  .opts();
try {
  const { url } = await startDemoServer(options);
  console.log(`Distillery demo: open ${url} (Ctrl-C stops it)`);
} catch (error) {
  console.error(
    `error: ${error.code === 'EADDRINUSE' ? `port ${options.port} is in use; pass --port <another>` : error.message}`,
  );
  process.exit(1);
}
