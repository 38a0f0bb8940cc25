export { Simulation, type EventHandler } from './simulation.js';
export { EventQueue } from './event-queue.js';
export { RandomStreams, type RandomStream } from './random.js';
export * from './distributions.js';
export * from './time.js';
