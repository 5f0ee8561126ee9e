/**
 * `contrastive/node`: what needs Node (file system, worker threads, native addon).
 */
export {};
