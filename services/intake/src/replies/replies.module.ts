import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { MaterialsModule } from '../materials/materials.module';
import { RepliesService } from './replies.service';

@Module({
  imports: [CasesModule, MaterialsModule],
  providers: [RepliesService],
  exports: [RepliesService],
})
export class RepliesModule {}
