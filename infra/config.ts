// Config loading lives in shared/workflow/config-file.ts (npm run sync uses it too).
export { configPath, deployedUnits, DEFAULT_CONFIG_FILE, loadConfig, parseConfig } from '../shared/workflow/config-file.ts';
