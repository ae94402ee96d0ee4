// The public API of cdktf-access-advisor. Nothing else is exported from the package.
export * from './iam/model';
export * from './iam/errors';
export * from './iam';
