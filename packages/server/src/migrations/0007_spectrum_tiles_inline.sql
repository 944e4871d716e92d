-- Most tiles a commit writes hold a band's newest few frames: 2 to 8 kB deflated. Kept in the row
-- itself instead of cut into TOAST chunks of 2 kB (each one more tuple and index entry), they cost
-- the database fewer tuples, index entries and write-ahead log. Larger tiles still go out of line.
ALTER TABLE spectrum_tiles SET (toast_tuple_target = 8160);
