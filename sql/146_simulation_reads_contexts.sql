-- What-if for a draft rule change (issue 18 item 3, `cluster-review simulate`): the simulation runs
-- stored filings through the modules under the person's own login, and sends each module the
-- context the coordinator would send — review_context(), the one definition of it. The function is
-- SECURITY INVOKER (sql/094): it reads incidents and clusters with the caller's privileges and row
-- policies, so the staff roles, who already read both (sql/013, sql/094), learn nothing new by
-- calling it. A county may not read the incidents and is still refused (42501); its simulation
-- runs without them (ReviewCore's SimulationRecords). Nothing here changes the function.
GRANT EXECUTE ON FUNCTION review_context(bigint) TO cr_reviewer, cr_admin, cr_auditor;
