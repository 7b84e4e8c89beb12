export { TransactionManager, createTransactionManager, type CallerTransactions, type TransactionCaller, type TransactionSettings } from './transaction-manager.ts';
export { StreamTransaction, type TransactionOptions, type TransactionStatus } from './stream-transaction.ts';
export { TransactionDataSource } from './transaction-data-source.ts';
export { JS_TRANSACTION_TIMEOUT_MS, type JsTransactionRequest, type JsTransactionRunner } from './js-transaction.ts';
