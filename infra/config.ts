// Config loading lives in shared/workflow/config-file.ts, bound to the registry's schema in functions/config.ts
// (npm run collect and npm run sync use them too).
export { configPath, deployedUnits, DEFAULT_CONFIG_FILE } from '../shared/workflow/config-file.ts';
export { loadConfig, parseConfig } from '../functions/config.ts';
