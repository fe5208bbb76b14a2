export { TokenBuckets, type BucketLimit } from './token-bucket.js';
export { parseRate, formatRate } from './rate.js';
