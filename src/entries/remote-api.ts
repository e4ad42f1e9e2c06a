/** The remote API shared by `fitsflow/remote`'s entries: HTTP and S3 sources, the block cache, stores. */
export { HttpSource, fetchTransport, type HttpSourceOptions, type HttpStats, type HttpTransport, type HttpRequest, type HttpResponse, type RequestSigner, type SpillFile, type SpillFactory } from '../remote/http-source.js';
export type { RemoteOpenOptions } from '../remote/open-remote.js';
export { s3HttpUrl, type S3Options, type AwsCredentials } from '../remote/s3.js';
export { CachedSource, type CacheOptions, type CachedSourceStats } from '../cache/cached-source.js';
export { MemoryBlockCache, sharedMemoryCache, type MemoryCacheOptions, type MemoryCacheStats } from '../cache/memory-cache.js';
export { CacheApiStore, type CacheApiStoreOptions } from '../cache/cache-api-store.js';
export type { PersistentStore, CachedObject, StoreCounters, StoreStats, VerifyReport, BlocksRead, BlockClaim, Validation } from '../cache/store.js';
export type { DatasetOptions, DatasetProgress, DatasetFailure, DatasetItemInfo, DatasetState } from '../dataset/dataset.js';
