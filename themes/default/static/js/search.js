// The search page: reads ?q=, asks the language's Pagefind index, and lists the stories it
// finds with their headline, date and summary. Everything shown is set as text, never as HTML.
const results = document.querySelector(".search-results");
const status = document.querySelector(".search-page__status");
const query = new URLSearchParams(window.location.search).get("q")?.trim() ?? "";

for (const input of document.querySelectorAll('input[name="q"]')) input.value = query;

function say(key, count) {
  status.textContent = status.dataset[key].replace("{count}", String(count));
}

function item(data) {
  const li = document.createElement("li");
  li.className = "search-result";
  const heading = document.createElement("h2");
  heading.className = "search-result__headline";
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  heading.append(link);
  li.append(heading);
  // The story's day as the site's own zone counts it: the date the page's time is written
  // with, not the reader's (a story of 7 p.m. in Havana is not of the next day in Madrid).
  const when = new Date((data.meta.date ?? "").slice(0, 10));
  if (!Number.isNaN(when.getTime())) {
    const date = document.createElement("time");
    date.className = "search-result__date";
    date.dateTime = data.meta.date;
    date.textContent = new Intl.DateTimeFormat(document.documentElement.lang,
                                               { dateStyle: "long", timeZone: "UTC" })
      .format(when);
    li.append(date);
  }
  const summary = document.createElement("p");
  summary.className = "search-result__summary";
  summary.textContent = data.meta.summary || data.excerpt.replace(/<[^>]*>/g, "");
  li.append(summary);
  return li;
}

async function search() {
  if (!query || !results) return;
  if (!results.dataset.pagefind) return say("none", 0); // nothing of this language is indexed
  say("searching", 0);
  const pagefind = await import(results.dataset.pagefind);
  // A large site's index comes in parts, each made again only when one of its pages changes.
  const parts = (results.dataset.pagefindParts ?? "").split(" ").filter(Boolean);
  await Promise.all(parts.map((part) => pagefind.mergeIndex(part)));
  const found = await pagefind.search(query);
  const shown = await Promise.all(found.results.slice(0, 20).map((result) => result.data()));
  results.replaceChildren(...shown.map(item));
  const count = found.results.length;
  say(count === 0 ? "none" : count === 1 ? "one" : "many", count);
}

search();
