# Sourced by bench scripts that own one section of bench/RESULTS.md.
#
# write_marked_section FILE NAME SECTION_FILE: SECTION_FILE is "## Heading" then
# "<!-- NAME:begin ... -->", the section's text, "<!-- NAME:end -->", with no
# other "## " line inside (subsections use "###"), so the scripts that cut
# sections at the next "## " (scale_common.sh's write_section) never take part
# of it. Replaces the older copy of the section (its heading line through the
# end marker), or appends it at the end of FILE, below the marker that
# bench/run_load.sh keeps when it rewrites the top of the file.
write_marked_section() {
  python3 - "$1" "$2" "$3" <<'PY'
import sys
path, name, section_path = sys.argv[1:4]
section = open(section_path).read().rstrip() + "\n"
keep_marker = "<!-- Sections below: bench/restart_scale.sh and bench/snapshot_stall.sh (run_load.sh keeps them). -->"
try:
    text = open(path).read()
except FileNotFoundError:
    text = ""
begin = text.find("<!-- %s:begin" % name)
end_marker = "<!-- %s:end -->" % name
end = text.find(end_marker, begin) if begin >= 0 else -1
if begin >= 0 and end >= 0:
    heading = text.rfind("\n## ", 0, begin) + 1
    rest = text[end + len(end_marker):]
    text = text[:heading] + section + ("\n" + rest.lstrip("\n") if rest.strip() else "")
else:
    if keep_marker not in text:
        text = text.rstrip() + "\n\n" + keep_marker + "\n"
    text = text.rstrip() + "\n\n" + section
open(path, "w").write(text)
PY
  echo "written to $1 (section $2)"
}
