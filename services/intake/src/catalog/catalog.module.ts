import { Module } from '@nestjs/common';
import { PartnerCatalogService } from './partner-catalog.service';

@Module({ providers: [PartnerCatalogService], exports: [PartnerCatalogService] })
export class CatalogModule {}
