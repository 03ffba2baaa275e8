export { AuthModule } from './auth.module';
export { Public } from './public.decorator';
export { permits, permitsAll, missingPermissions } from './permissions';
export type { Principal, RequestAccess } from './principal.interface';
export { REQUEST_ACCESS } from './auth.constants';
