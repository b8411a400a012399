// Parse .ics files with ical.js (Mozilla's parser, the one inside Thunderbird).
// Usage: node check_ics.mjs FILE.ics [FILE.ics ...]
// Exits 0 when every file parses and each VEVENT has UID, DTSTART, DTEND and ORGANIZER;
// otherwise prints one line per problem ("FILE: what is wrong") and exits 1.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const REQUIRED = ["uid", "dtstart", "dtend", "organizer"];

function check(path) {
  const problems = [];
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    return [`cannot read: ${err.message}`];
  }
  let jcal;
  try {
    jcal = ICAL.parse(text);
  } catch (err) {
    return [`ical.js cannot parse: ${err.message}`];
  }
  const roots = Array.isArray(jcal[0]) ? jcal : [jcal];
  for (const root of roots) {
    const cal = new ICAL.Component(root);
    if (cal.name !== "vcalendar") {
      problems.push(`top-level component is ${cal.name}, not vcalendar`);
      continue;
    }
    const events = cal.getAllSubcomponents("vevent");
    if (events.length === 0) problems.push("no VEVENT");
    for (const vevent of events) {
      for (const name of REQUIRED) {
        if (!vevent.hasProperty(name)) problems.push(`VEVENT lacks ${name.toUpperCase()}`);
      }
      // Resolve the times through ical.js's own time zone handling: a TZID without a
      // matching VTIMEZONE, or an end before the start, is a problem.
      try {
        const tzids = new Set(cal.getAllSubcomponents("vtimezone").map((tz) => tz.getFirstPropertyValue("tzid")));
        for (const name of ["dtstart", "dtend"]) {
          const prop = vevent.getFirstProperty(name);
          const tzid = prop && prop.getParameter("tzid");
          if (tzid && !tzids.has(tzid)) problems.push(`${name.toUpperCase()} uses TZID ${tzid} with no VTIMEZONE`);
        }
        for (const tz of cal.getAllSubcomponents("vtimezone")) {
          ICAL.TimezoneService.register(tz);
        }
        const event = new ICAL.Event(vevent);
        if (event.startDate && event.endDate && event.endDate.compare(event.startDate) < 0) {
          problems.push("DTEND is before DTSTART");
        }
      } catch (err) {
        problems.push(`ical.js cannot read the event: ${err.message}`);
      }
    }
  }
  return problems;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node check_ics.mjs FILE.ics [FILE.ics ...]");
  process.exit(2);
}
let failed = false;
for (const file of files) {
  for (const problem of check(file)) {
    console.error(`${file}: ${problem}`);
    failed = true;
  }
}
if (!failed) console.log(`ical.js parsed ${files.length} file(s)`);
process.exit(failed ? 1 : 0);
