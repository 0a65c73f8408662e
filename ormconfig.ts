import { DataSource } from 'typeorm';
import { loadConfig } from './src/common/config/app-config';
import { buildDataSourceOptions } from './src/database/data-source-options';

/** The data source for the TypeORM CLI (`npm run migration:run`), from the same configuration as the server. */
export default new DataSource(buildDataSourceOptions(loadConfig().database));
