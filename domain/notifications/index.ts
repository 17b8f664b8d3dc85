export * from './messages';
export * from './schedule';
export * from './templates';
