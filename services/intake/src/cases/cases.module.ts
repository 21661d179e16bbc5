import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { MaterialsModule } from '../materials/materials.module';
import { CasesService } from './cases.service';
import { SubmissionService } from './submission.service';

@Module({
  imports: [CatalogModule, MaterialsModule],
  providers: [CasesService, SubmissionService],
  exports: [CasesService, SubmissionService],
})
export class CasesModule {}
