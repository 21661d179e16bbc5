export { default } from '../../.config/eslint.base.mjs';
