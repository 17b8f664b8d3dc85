// The pure billing rules, re-exported. domain/underwriting.ts is imported from its own module.
export * from './money';
export * from './product';
export * from './calendar';
export * from './balances';
export * from './cycle';
export * from './installments';
export * from './waterfall';
export * from './penalty';
export * from './payoff';
export * from './ledger';
export * from './projection';
export * from './line';
export * from './product-schema';
