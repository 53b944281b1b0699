/** `npm run host -- [--db PATH] [--port N] [--demo] [--no-open]`: the browser host on any CRM file. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launch, parsePort } from './launch';

export async function main(argv: string[], defaults: { demo: boolean }): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        db: { type: 'string', default: process.env.CRM_DB ?? 'data/crm.sqlite' },
        port: { type: 'string' },
        demo: { type: 'boolean', default: defaults.demo },
        'no-open': { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: npm run host -- [--db PATH] [--port N] [--demo] [--no-open]`);
    process.exitCode = 2;
    return;
  }
  try {
    const { close } = await launch({
      dbPath: values.db,
      port: parsePort(values.port),
      demo: values.demo,
      open: !values['no-open'] && !process.env.CI,
      log: (line) => console.log(line),
    });
    const stop = () => {
      console.log('Stopping…');
      void close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) await main(process.argv.slice(2), { demo: false });
