/** `npm run demo`: the browser host on the demo database (created on first run). */
import { main } from './main';

await main(process.argv.slice(2), { demo: true });
