import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { MaterialsModule } from '../materials/materials.module';
import { CasesGrpcController } from './cases.grpc.controller';
import { CasesService } from './cases.service';

@Module({
  imports: [CatalogModule, MaterialsModule],
  providers: [CasesService, CasesGrpcController],
})
export class CasesModule {}
