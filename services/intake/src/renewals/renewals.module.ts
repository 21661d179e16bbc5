import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { CatalogModule } from '../catalog/catalog.module';
import { MaterialsModule } from '../materials/materials.module';
import { RenewalsService } from './renewals.service';

@Module({
  imports: [CasesModule, CatalogModule, MaterialsModule],
  providers: [RenewalsService],
  exports: [RenewalsService],
})
export class RenewalsModule {}
