import { Inject, Injectable } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { ServiceStatusResponse } from './dto/service-status.response';

interface BuildInfo {
  version?: string;
  buildTime?: string;
}

/** Name, version and clock of this node, as the original's `/push/service/status`. */
@Injectable()
export class ServiceStatusService {
  private readonly buildInfo: BuildInfo;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.buildInfo = readBuildInfo();
  }

  status(): ServiceStatusResponse {
    return {
      applicationName: this.config.application.name,
      applicationDisplayName: this.config.application.displayName,
      applicationEnvironment: this.config.application.environment,
      version: this.buildInfo.version,
      buildTime: this.buildInfo.buildTime ? new Date(this.buildInfo.buildTime) : undefined,
      timestamp: new Date(),
    };
  }
}

function readBuildInfo(): BuildInfo {
  // dist/build-info.json is written by `npm run build`; package.json gives the version otherwise.
  const written = join(__dirname, '..', '..', 'build-info.json');
  if (existsSync(written)) return JSON.parse(readFileSync(written, 'utf8')) as BuildInfo;
  const pkg = join(__dirname, '..', '..', '..', 'package.json');
  return existsSync(pkg) ? { version: (JSON.parse(readFileSync(pkg, 'utf8')) as BuildInfo).version } : {};
}
