-- reserved
-- 009 belongs to the signing tables (another branch). tern refuses both a
-- gap in the numbering and a step without SQL, hence the no-op below; the
-- real 009_signing.sql replaces this file.
SELECT 1;
