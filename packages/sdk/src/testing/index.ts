export { TestClock } from './test-clock.js';
export { seededRandom } from './seeded-random.js';
