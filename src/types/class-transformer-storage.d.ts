// class-transformer ships the storage's types apart from its CommonJS entry.
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
