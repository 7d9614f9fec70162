-- Each month's invoiced (invoices less credit notes, void ones not
-- counted) and collected (payments, prepaid ones too), in minor units,
-- kept by triggers: the revenue report reads twelve rows instead of
-- summing a year of invoices and payments (100 ms at 100,000 invoices).
-- An invoice's issue date and gross never change; it is voided once;
-- payments are never changed or removed.
CREATE TABLE revenue_months (
    month           TEXT PRIMARY KEY,
    invoiced_minor  INTEGER NOT NULL DEFAULT 0,
    collected_minor INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
INSERT INTO revenue_months (month, invoiced_minor, collected_minor)
SELECT month, sum(invoiced), sum(collected) FROM (
    SELECT substr(issue_date, 1, 7) AS month,
           CASE kind WHEN 'invoice' THEN gross_minor ELSE -gross_minor END AS invoiced, 0 AS collected
    FROM invoices WHERE voided_at IS NULL
    UNION ALL
    SELECT substr(paid_on, 1, 7), 0, amount_minor FROM payments
) GROUP BY month;

CREATE TRIGGER revenue_invoice_insert AFTER INSERT ON invoices WHEN NEW.voided_at IS NULL BEGIN
    INSERT INTO revenue_months (month, invoiced_minor)
    VALUES (substr(NEW.issue_date, 1, 7), CASE NEW.kind WHEN 'invoice' THEN NEW.gross_minor ELSE -NEW.gross_minor END)
    ON CONFLICT (month) DO UPDATE SET invoiced_minor = invoiced_minor + excluded.invoiced_minor;
END;
CREATE TRIGGER revenue_invoice_void AFTER UPDATE OF voided_at ON invoices
    WHEN OLD.voided_at IS NULL AND NEW.voided_at IS NOT NULL
BEGIN
    UPDATE revenue_months
    SET invoiced_minor = invoiced_minor - CASE OLD.kind WHEN 'invoice' THEN OLD.gross_minor ELSE -OLD.gross_minor END
    WHERE month = substr(OLD.issue_date, 1, 7);
END;
CREATE TRIGGER revenue_payment_insert AFTER INSERT ON payments BEGIN
    INSERT INTO revenue_months (month, collected_minor) VALUES (substr(NEW.paid_on, 1, 7), NEW.amount_minor)
    ON CONFLICT (month) DO UPDATE SET collected_minor = collected_minor + excluded.collected_minor;
END;

-- The open invoices' indexes carry every column the report reads, so
-- outstanding, aging and overdue customers read only an index: by due date
-- (ranges of days overdue) and by customer (counting them without sorting).
DROP INDEX invoices_open;
CREATE INDEX invoices_open ON invoices (due_date, customer_id, gross_minor, settled_minor, kind, voided_at)
    WHERE kind = 'invoice' AND voided_at IS NULL AND settled_minor < gross_minor;
CREATE INDEX invoices_open_customer ON invoices (customer_id, due_date, gross_minor, settled_minor, kind, voided_at)
    WHERE kind = 'invoice' AND voided_at IS NULL AND settled_minor < gross_minor;
