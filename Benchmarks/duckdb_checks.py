#!/usr/bin/env python3
"""The Cu-again checks as SQL in DuckDB, for the performance comparison (docs/performance.md).

Runs the same work custody validate does on a canonical ledger folder: reads every CSV, checks
each automated clause and writes a JSON summary of failing row counts per clause. This is the
alternative a data engineer would write; it is not used to judge conformity.

Usage: duckdb_checks.py LEDGER_DIR [--out FILE]
"""
import json, sys, time
import duckdb

ledger = sys.argv[1]
out = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else None
start = time.perf_counter()
con = duckdb.connect()
con.execute("SET threads TO 2")

def table(name, optional=False):
    import os
    path = os.path.join(ledger, name + ".csv")
    if optional and not os.path.exists(path):
        return False
    # all_varchar then explicit casts: exact DECIMAL(38,12) arithmetic like custody's decimals.
    con.execute(f"CREATE TABLE {name}_raw AS SELECT * FROM read_csv('{path}', header=true, all_varchar=true)")
    return True

for t in ["sites", "suppliers", "partners", "periods", "conversion_factors", "cfp_factors", "receipts", "shipments", "documents"]:
    table(t)
has_transfers = table("transfers", optional=True)
has_counts = table("stock_counts", optional=True)

D = "DECIMAL(38,12)"
con.execute(f"""
CREATE TABLE sites AS SELECT site, name, entity, in_scope = 'true' AS in_scope FROM sites_raw;
CREATE TABLE suppliers AS SELECT supplier, due_diligence, CAST(valid_from AS DATE) vf, CAST(valid_to AS DATE) vt FROM suppliers_raw;
CREATE TABLE partners AS SELECT partner, CAST(valid_from AS DATE) vf, CAST(valid_to AS DATE) vt,
  string_split(coalesce(affiliates, ''), ';') AS affiliates FROM partners_raw;
CREATE TABLE periods AS SELECT site, period, CAST(start AS DATE) s, CAST("end" AS DATE) e FROM periods_raw;
CREATE TABLE cf AS SELECT site, CAST(factor AS {D}) factor, CAST(valid_from AS DATE) vf, CAST(valid_to AS DATE) vt FROM conversion_factors_raw;
CREATE TABLE cfp AS SELECT route, CAST(kg_co2e_per_t AS {D}) v, CAST(valid_from AS DATE) vf, CAST(valid_to AS DATE) vt FROM cfp_factors_raw;
CREATE TABLE receipts AS SELECT entry_id, CAST(date AS DATE) d, site, supplier, origin, pool, partner,
  CAST(gross_t AS {D}) gross_t, CAST(cu_pct AS {D}) cu_pct, CAST(cu_t AS {D}) cu_t, document_id FROM receipts_raw;
CREATE TABLE shipments AS SELECT entry_id, CAST(date AS DATE) d, site, customer, CAST(cu_t AS {D}) cu_t, claim,
  document_id, CAST(cfp_kg_per_t AS {D}) cfp FROM shipments_raw;
CREATE TABLE documents AS SELECT document_id, issue_date, recipient, CAST(cu_t AS {D}) cu_t, claim, model, certificate FROM documents_raw;
""")
if has_transfers:
    con.execute(f"CREATE TABLE transfers AS SELECT transfer_id, CAST(date AS DATE) d, from_site, to_site, pool, partner, CAST(cu_t AS {D}) cu_t FROM transfers_raw")
else:
    con.execute(f"CREATE TABLE transfers (transfer_id VARCHAR, d DATE, from_site VARCHAR, to_site VARCHAR, pool VARCHAR, partner VARCHAR, cu_t {D})")
if has_counts:
    con.execute(f"CREATE TABLE stock_counts AS SELECT site, CAST(date AS DATE) d, CAST(physical_cu_t AS {D}) p, CAST(book_cu_t AS {D}) b FROM stock_counts_raw")
else:
    con.execute(f"CREATE TABLE stock_counts (site VARCHAR, d DATE, p {D}, b {D})")

checks = {
 "CUA-1.1": """SELECT count(*) FROM (SELECT site FROM receipts UNION ALL SELECT site FROM shipments
     UNION ALL SELECT from_site FROM transfers UNION ALL SELECT to_site FROM transfers) a
     LEFT JOIN sites s USING (site) WHERE s.in_scope IS NOT TRUE""",
 "CUA-1.3": """SELECT (SELECT count(*) - count(DISTINCT entry_id) FROM receipts) + (SELECT count(*) - count(DISTINCT entry_id) FROM shipments)""",
 "CUA-3.1": "SELECT count(*) FROM receipts WHERE pool IN ('PCL','MR') AND origin NOT IN ('post_consumer','pre_consumer')",
 "CUA-3.2": """SELECT count(*) FROM receipts r WHERE pool IN ('PCL','MR') AND NOT EXISTS (SELECT 1 FROM suppliers s
     WHERE s.supplier = r.supplier AND r.d BETWEEN s.vf AND s.vt AND s.due_diligence = 'passed')""",
 "CUA-3.3": "SELECT count(*) FROM (SELECT document_id FROM receipts WHERE document_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1)",
 "CUA-3.4": "SELECT count(*) FROM receipts WHERE abs(gross_t * cu_pct / 100 - cu_t) > 0.001",
 "CUA-3.5": """SELECT count(*) FROM receipts r WHERE pool = 'PCL' AND NOT EXISTS (SELECT 1 FROM partners p
     WHERE p.partner = r.partner AND r.d BETWEEN p.vf AND p.vt AND (r.supplier = p.partner OR list_contains(p.affiliates, r.supplier)))""",
 "CUA-4.1": """SELECT (SELECT count(*) FROM (SELECT site, s, e, lag(e) OVER (PARTITION BY site ORDER BY s) pe FROM periods)
       WHERE (pe IS NOT NULL AND s <> pe + 1) OR e < s OR e >= s + INTERVAL 12 MONTH)
     + (SELECT count(*) FROM (SELECT site, d FROM receipts UNION ALL SELECT site, d FROM shipments) x
       WHERE (SELECT count(*) FROM periods p WHERE p.site = x.site AND x.d BETWEEN p.s AND p.e) <> 1)""",
 "CUA-4.2": """SELECT count(*) FROM receipts r WHERE pool IN ('PCL','MR') AND NOT EXISTS (SELECT 1 FROM cf
     WHERE cf.site = r.site AND r.d BETWEEN cf.vf AND cf.vt AND cf.factor > 0 AND cf.factor <= 1)""",
 "CUA-4.6": "SELECT count(*) FROM stock_counts WHERE abs(p - b) > b * 0.005",
 "CUA-5.1": """SELECT count(*) FROM shipments s WHERE claim = 'PCL100/mb' AND NOT EXISTS (SELECT 1 FROM partners p
     WHERE s.d BETWEEN p.vf AND p.vt AND (s.customer = p.partner OR list_contains(p.affiliates, s.customer)))""",
 "CUA-7.1": """SELECT count(*) FROM shipments s LEFT JOIN documents d USING (document_id) WHERE s.claim IN ('PCL100/mb','MR100/mb')
     AND (d.document_id IS NULL OR d.issue_date IS NULL OR d.recipient IS NULL OR d.cu_t IS NULL OR d.claim IS NULL
          OR d.certificate IS NULL OR d.model IS DISTINCT FROM 'mass_balance')""",
 "CUA-7.2": """SELECT count(*) FROM shipments s JOIN documents d USING (document_id) WHERE s.claim IN ('PCL100/mb','MR100/mb')
     AND (d.recipient <> s.customer OR d.cu_t <> s.cu_t OR d.claim <> s.claim)""",
 "CUA-7.3": "SELECT count(*) FROM shipments WHERE claim NOT IN ('PCL100/mb','MR100/mb','none')",
 "CUA-8.1": """SELECT count(*) FROM transfers t LEFT JOIN sites a ON a.site = t.from_site LEFT JOIN sites b ON b.site = t.to_site
     WHERE a.in_scope IS NOT TRUE OR b.in_scope IS NOT TRUE OR a.entity <> b.entity""",
 "CUA-9.1": """SELECT count(*) FROM shipments s WHERE NOT EXISTS (SELECT 1 FROM cfp c WHERE s.d BETWEEN c.vf AND c.vt
     AND c.route = CASE WHEN s.claim IN ('PCL100/mb','MR100/mb') THEN 'recycled' ELSE 'average' END AND c.v = s.cfp)""",
}
# Credit postings (eligible receipts), debits and transfers; running balance per account with
# credits before debits on the same day (CUA-4.3) and balance at each period close (CUA-4.4).
con.execute("""
CREATE TABLE postings AS
WITH eligible AS (
  SELECT r.*, cf.factor FROM receipts r
  JOIN sites st ON st.site = r.site AND st.in_scope
  JOIN cf ON cf.site = r.site AND r.d BETWEEN cf.vf AND cf.vt AND cf.factor > 0 AND cf.factor <= 1
  WHERE r.pool IN ('PCL','MR') AND r.origin IN ('post_consumer','pre_consumer')
    AND EXISTS (SELECT 1 FROM suppliers s WHERE s.supplier = r.supplier AND r.d BETWEEN s.vf AND s.vt AND s.due_diligence = 'passed')
    AND (r.pool = 'MR' OR EXISTS (SELECT 1 FROM partners p WHERE p.partner = r.partner AND r.d BETWEEN p.vf AND p.vt
         AND (r.supplier = p.partner OR list_contains(p.affiliates, r.supplier))))
)
SELECT site, pool, CASE WHEN pool = 'PCL' THEN partner END AS partner, d, 0 AS ord, cu_t * factor AS amount FROM eligible
UNION ALL
SELECT s.site, 'MR', NULL, s.d, 1, -s.cu_t FROM shipments s WHERE claim = 'MR100/mb'
UNION ALL
SELECT s.site, 'PCL', p.partner, s.d, 1, -s.cu_t FROM shipments s JOIN partners p
  ON s.d BETWEEN p.vf AND p.vt AND (s.customer = p.partner OR list_contains(p.affiliates, s.customer))
  WHERE s.claim = 'PCL100/mb'
UNION ALL
SELECT from_site, pool, partner, d, 1, -cu_t FROM transfers
UNION ALL
SELECT to_site, pool, partner, d, 0, cu_t FROM transfers
""")
checks["CUA-4.3"] = """SELECT count(*) FROM (SELECT sum(amount) OVER (PARTITION BY site, pool, partner ORDER BY d, ord
    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS bal FROM postings) WHERE bal < 0"""
checks["CUA-4.4"] = """SELECT count(*) FROM (SELECT p.site, p.e, a.pool, a.partner,
    (SELECT sum(amount) FROM postings x WHERE x.site = p.site AND x.pool = a.pool AND x.partner IS NOT DISTINCT FROM a.partner AND x.d <= p.e) bal
    FROM periods p JOIN (SELECT DISTINCT site, pool, partner FROM postings) a ON a.site = p.site) WHERE bal < 0"""
# CUA-4.5 (FIFO with 24-month expiry): credits older than 24 months at a debit's date cannot
# cover it; approximated as running balance over the trailing 24 months of credits.
checks["CUA-4.5"] = """SELECT count(*) FROM (SELECT d, ord, amount, sum(CASE WHEN ord = 0 THEN amount ELSE 0 END)
    OVER (PARTITION BY site, pool, partner ORDER BY d RANGE BETWEEN INTERVAL 24 MONTH PRECEDING AND CURRENT ROW)
    + sum(CASE WHEN ord = 1 THEN amount ELSE 0 END) OVER (PARTITION BY site, pool, partner ORDER BY d
    RANGE BETWEEN INTERVAL 24 MONTH PRECEDING AND CURRENT ROW) AS avail FROM postings) WHERE ord = 1 AND avail < 0"""

results = {}
for clause, sql in checks.items():
    results[clause] = con.execute(sql).fetchone()[0]
elapsed = time.perf_counter() - start
summary = {"engine": "duckdb", "version": duckdb.__version__, "seconds": round(elapsed, 3), "failing": results}
text = json.dumps(summary, indent=2, sort_keys=True)
if out:
    open(out, "w").write(text + "\n")
print(text)
