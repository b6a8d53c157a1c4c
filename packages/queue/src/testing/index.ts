export { type RedisServerForTests, startRedisServer } from './startRedisServer.js';
