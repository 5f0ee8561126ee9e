/**
 * `npm start`: reports the backend and runs a short training-step benchmark.
 * (The SimCLR issue turns this into the full demo.)
 */
import { initBackend, describeBackend } from '../backend.js';

const info = await initBackend();
console.log(`contrastive: ${describeBackend(info)}`);
