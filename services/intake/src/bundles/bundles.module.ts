import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { CatalogModule } from '../catalog/catalog.module';
import { BundlesService } from './bundles.service';

@Module({
  imports: [CasesModule, CatalogModule],
  providers: [BundlesService],
  exports: [BundlesService],
})
export class BundlesModule {}
