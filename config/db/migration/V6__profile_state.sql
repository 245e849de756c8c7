-- The profile state (see docs/profile-state.md): beside each profile, the version of each raw id folded into it, as
-- JSON text with sorted keys ({"a:anon-1": 3, "u:user-7": 12}). Written in the same row as the profile, so a profile
-- loaded back is always exactly the fold of those versions. NULL for a row written without it (the next event of the
-- profile makes it again from its raw ids).
ALTER TABLE profiles ADD COLUMN absorbed VARCHAR;
