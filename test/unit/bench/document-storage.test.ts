/**
 * The evidence documents' cost model (bench/fixed-cost.ts documentStorageMonthlyCost): a year's
 * documents spread over the storage classes by the bucket's own transitions, kept for cdk.json's
 * retention, priced with bench/prices.ts.
 */
import { describe, expect, it } from 'vitest';
import { DOCUMENT_ASSUMPTIONS, documentStorageMonthlyCost } from '../../../bench/fixed-cost.ts';
import { PRICES_USD } from '../../../bench/prices.ts';

describe('document storage cost', () => {
  it('keeps retentionYears of documents: a month in Standard, the rest of the first year in Standard-IA, then Glacier IR', () => {
    // Act
    const cost = documentStorageMonthlyCost(1000, 7);

    // Assess
    const gbPerYear =
      (1000 * (DOCUMENT_ASSUMPTIONS.mbPerApproval + DOCUMENT_ASSUMPTIONS.mbPerRenewal)) / 1024;
    const { standard, standardIa, glacierIr } = cost.storedGb;
    expect(standard + standardIa + glacierIr).toBeCloseTo(gbPerYear * 7);
    expect(standard).toBeCloseTo((gbPerYear * 30) / 365);
    expect(glacierIr).toBeCloseTo(gbPerYear * 6);
    const storage =
      standard * PRICES_USD.s3StandardGbMonth +
      standardIa * PRICES_USD.s3StandardIaGbMonth +
      glacierIr * PRICES_USD.s3GlacierIrGbMonth;
    expect(cost.perMonthUsd).toBeGreaterThan(storage);
    expect(cost.perMonthUsd).toBeCloseTo(0.105, 3);
  });

  it('grows with the requests and the years kept, and reads the retention from cdk.json', () => {
    expect(documentStorageMonthlyCost(100_000, 7).perMonthUsd).toBeCloseTo(
      100 * documentStorageMonthlyCost(1000, 7).perMonthUsd,
    );
    expect(documentStorageMonthlyCost(1000, 10).perMonthUsd).toBeGreaterThan(
      documentStorageMonthlyCost(1000, 7).perMonthUsd,
    );
    expect(documentStorageMonthlyCost(1000).retentionYears).toBe(7);
  });
});
