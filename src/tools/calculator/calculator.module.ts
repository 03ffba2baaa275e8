import { Module } from '@nestjs/common';
import { CalculatorTools } from './calculator.tools';

/** Tool pack `calculator`: add, subtract, multiply, divide, power, sqrt. */
@Module({ providers: [CalculatorTools] })
export class CalculatorModule {}
