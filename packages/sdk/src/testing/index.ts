export { TestClock } from './test-clock.js';
export { seededRandom } from './seeded-random.js';
export { createTestBackendEnv } from './test-backend-env.js';
