import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ConsoleContext } from '../console-context';
import { PrismaService } from './prisma.service';

/** The console context and its database, for every module of the console. */
@Global()
@Module({})
export class PrismaModule {
  static forContext(context: ConsoleContext): DynamicModule {
    return {
      module: PrismaModule,
      providers: [{ provide: ConsoleContext, useValue: context }, PrismaService],
      exports: [ConsoleContext, PrismaService],
    };
  }
}
