#!/usr/bin/env python3
"""Write synthetic newsletter archives of several SHAPES, for speed tests that
hold on any archive, not only on the Devops Weekly one.

Each shape is a folder of markdown issues in the Devops Weekly style (front
matter `title` and `date`, setext sections, a sponsor, links written as
`<br>[u](u)`, `[text](u)`, bare URLs, `<u>` autolinks and `<a href>`), dated
on Sundays spread evenly over 2012-2026 (daily when there are more issues
than weeks), so that the linkfarm's rot by issue year varies. What differs
between shapes is how the URLs fall on hosts, which is what decides how fast
a polite checker can go (../shared/linkfarm/gen.py: capped hosts, 6
connections per uncapped host, hangs costing a timeout):

  capped    github.com (capped at 4 by gen.py) holds half of the URLs
  uncapped  one uncapped host (docs.bigvendor.test) holds 20% of the URLs
  both      the two at once: 56 issues, 8,000 links, 6,040 URLs on 748
            hosts, github.com 50%, docs.bigvendor.test 1,200 URLs (20%)
  longtail  almost every URL on a host of its own
  mix       medium hosts of 50-300 URLs, medium.com with 10%, a long tail;
            http and https of the same path, queries, #fragments, 10% of
            the links citing again a URL of an earlier issue
  scale     700 issues, 100,000 links, 60,000 URLs on 8,000 hosts
            (power-law host sizes, the capped platforms among them)
  million   1,000,000 links in 4,000 issues (indexing memory); written
            only when named

The uncapped host's URLs are cited mostly in the early years (a vendor's
docs, much linked 2012-2015 and fading out by 2018), so that with gen.py's rot rules a few
dozen of them hang and about half are dead; the name is one gen.py (seed 1)
does not kill as a whole dead host. Hosts are under .test, apart from the
platforms gen.py treats specially (github.com, medium.com,
www.slideshare.net, speakerdeck.com, www.youtube.com).

Deterministic given --seed. Standard library only (Python 3.11).

  python3 scripts/shapes.py --out /tmp/shapes                 # all but million
  python3 scripts/shapes.py --out /tmp/shapes --seed 2 both mix
  python3 scripts/shapes.py --out /tmp/shapes --issues 20 --links 2000 capped
  python3 scripts/shapes.py --list

--links scales the distinct URLs and hosts in proportion (shares stay).
Each shape's folder is emptied of issue files (YYYY-MM-DD-N.md) first.
"""
import argparse
import os
import random
import re
import sys
import time
from datetime import datetime, timedelta, timezone

CAPPED = {"github.com": 4, "medium.com": 2, "www.slideshare.net": 2, "speakerdeck.com": 2, "www.youtube.com": 2}
VENDOR = "docs.bigvendor.test"

# name: issues, links, urls, hosts, fixed hosts [(host, share of URLs, time profile)],
# medium hosts (how many, smallest, largest), share of the long-tail hosts with a single URL,
# largest long-tail host (sizes fall as a power of the rank from there), share of links
# with a #fragment, share of URLs with a query, share of URLs also cited with the other scheme
SHAPES = {
    "capped": dict(
        about="github.com (cap 4) holds half of the URLs; the rest a long tail",
        issues=56, links=8000, urls=6000, hosts=750,
        fixed=[("github.com", 0.50, "full")], tail_max=120),
    "uncapped": dict(
        about=f"one uncapped host ({VENDOR}) holds 20% of the URLs; the rest a long tail",
        issues=56, links=8000, urls=6000, hosts=750,
        fixed=[(VENDOR, 0.20, "early")], tail_max=150),
    "both": dict(
        about=f"held-out: github.com 50% and {VENDOR} 1,200 URLs (20%), 748 hosts",
        issues=56, links=8000, urls=6040, hosts=748,
        fixed=[("github.com", 0.50, "full"), (VENDOR, 1200 / 6040, "early")], tail_max=60),
    "longtail": dict(
        about="almost every URL on a host of its own",
        issues=260, links=5500, urls=5000, hosts=4800, fixed=[], tail_max=3, ones=0.9),
    "mix": dict(
        about="medium hosts of 50-300 URLs, medium.com 10%, a long tail; schemes, queries, fragments, repeats",
        issues=200, links=10000, urls=9000, hosts=1500,
        fixed=[("medium.com", 0.10, "full")], medium=(10, 50, 300), tail_max=45,
        fragments=0.08, queries=0.08, both_schemes=0.01),
    "scale": dict(
        about="700 issues, 100k links, 60k URLs on 8k hosts, power-law sizes, capped platforms among them",
        issues=700, links=100_000, urls=60_000, hosts=8000,
        fixed=[("github.com", 0.08, "full"), ("medium.com", 0.03, "full"), ("www.youtube.com", 0.012, "full"),
               ("speakerdeck.com", 0.01, "full"), ("www.slideshare.net", 0.008, "early")],
        medium=(20, 100, 600), tail_max=400),
    "million": dict(
        about="1,000,000 links in 4,000 issues (indexing memory); only when named",
        issues=4000, links=1_000_000, urls=600_000, hosts=60_000,
        fixed=[("github.com", 0.08, "full"), ("medium.com", 0.03, "full"), ("www.youtube.com", 0.012, "full"),
               ("speakerdeck.com", 0.01, "full"), ("www.slideshare.net", 0.008, "early")],
        medium=(100, 200, 2000), tail_max=1500, explicit=True),
}
DEFAULTS = dict(medium=(0, 0, 0), ones=0.5, fragments=0.02, queries=0.03, both_schemes=0.0, explicit=False)

START = datetime(2012, 1, 1, tzinfo=timezone.utc)       # a Sunday
END = datetime(2026, 6, 28, tzinfo=timezone.utc)        # a Sunday

TOPICS = ("kubernetes deploy mesh canary rollout chaos tracing helm vault terraform ansible puppet chef docker "
          "nomad consul grafana prometheus loki jaeger envoy istio serverless lambda gitops argo flux sre oncall "
          "pager runbook incident postmortem slo toil observability logging metrics alerting capacity cost "
          "security secrets sbom supply-chain ci cd pipelines testing flaky-tests monorepo build cache "
          "database postgres mysql kafka queues backups disaster-recovery dns tls certificates cdn load-balancing "
          "autoscaling containers images registry networking ebpf linux kernel performance profiling").split()
WORDS = ("a the how why what we our your scaling running building debugging migrating lessons learned from "
         "production at scale in with without zero downtime deep dive introduction guide notes on towards "
         "better faster safer simple modern practical real world case study part one two three revisited "
         "anatomy of an outage year review checklist patterns anti-patterns myths hidden costs tale").split()
SYL = ("ka ri zen mo lu na te vo sa pi fu ko ra ne di ga bo xe ly qu tri stra mesh flo kub ops dev cloud "
       "byte grid hub stack forge base wave core line node pod ship dock sync loop").split()
PEOPLE = "alice bob carol dave erin frank grace heidi ivan judy mallory nia oscar peggy rupert sybil trent victor walter".split()
PUBS = "engineering the-startup better-programming devops-notes infra-stories on-call-diaries platform-eng".split()
SECTIONS = ["News", "Tools", "Events"]


def scaled(spec, issues=None, links=None):
    s = dict(DEFAULTS, **spec)
    if issues:
        s["issues"] = issues
    if links:
        f = links / s["links"]
        s["links"] = links
        s["urls"] = max(1, round(s["urls"] * f))
        s["hosts"] = max(1, min(s["urls"], round(s["hosts"] * f)))
        n, lo, hi = s["medium"]
        s["medium"] = (round(n * min(1.0, f)), max(1, round(lo * f)), max(1, round(hi * f)))
        s["tail_max"] = max(1, round(s["tail_max"] * f))
    s["urls"] = min(s["urls"], s["links"])
    s["hosts"] = min(s["hosts"], s["urls"])
    return s


def power_sizes(n_urls, n_hosts, largest):
    """n_hosts sizes summing to n_urls, each >= 1, falling as a power of the rank from `largest`."""
    if n_hosts <= 0:
        return []
    largest = max(1, min(largest, n_urls - n_hosts + 1))
    def sizes(a):
        return [max(1, round(largest * (i + 1) ** -a)) for i in range(n_hosts)]
    lo, hi = 0.0, 60.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if sum(sizes(mid)) > n_urls:
            lo = mid
        else:
            hi = mid
    out = sizes(hi)
    diff = n_urls - sum(out)
    i = 1 if n_hosts > 1 else 0
    while diff > 0:                                   # top up from the second rank down
        out[i] += 1
        diff -= 1
        i = i + 1 if i + 1 < n_hosts and out[i + 1] < out[i] else (1 if n_hosts > 1 else 0)
    j = n_hosts - 1
    while diff < 0 and j > 0:
        if out[j] > 1:
            out[j] -= 1
            diff += 1
        else:
            j -= 1
    return out


class Names:
    """Unique made-up host names under .test, and the URL paths on each."""

    def __init__(self, rng):
        self.rng = rng
        self.taken = set(CAPPED) | {VENDOR}

    def word(self):
        r = self.rng
        return "".join(r.choice(SYL) for _ in range(r.choice((2, 2, 2, 3))))

    def host(self, kind):
        r = self.rng
        while True:
            w = self.word()
            if kind == "docs":
                h = r.choice(("docs.{}.test", "{}.readthedocs.test", "developer.{}.test", "help.{}.test")).format(w)
            elif kind == "blog":
                h = r.choice(("blog.{}.test", "engineering.{}.test", "{}.blog.test", "www.{}.test",
                              "{p}.{}.test", "{}-{p}.test")).format(w, p=r.choice(PEOPLE))
            elif kind == "short":
                h = r.choice(("{}.ly.test", "go.{}.test", "lnk.{}.test")).format(w[:6])
            else:
                h = r.choice(("www.{}.test", "{}.test", "{}.io.test", "{}.dev.test", "{}-{}.test",
                              "www.{}.co.test", "news.{}.test", "{}.org.test")).format(w, self.word())
            if h not in self.taken:
                self.taken.add(h)
                return h

    def slug(self, n=None):
        r = self.rng
        n = n or r.randint(3, 7)
        return "-".join(r.choice(TOPICS) if i % 2 == 0 or r.random() < 0.3 else r.choice(WORDS) for i in range(n))

    def path(self, host, kind, date, query_p):
        """A path (and maybe a query) as such a host would have it, for a post a little older
        than the issue (of that date) citing it."""
        r = self.rng
        post = date - timedelta(days=r.randint(1, 60))
        y, m, d = post.year, post.month, post.day
        q = ""
        if host == "github.com":
            org, repo = self.word() + r.choice(("", "", "hq", "-io", "labs")), r.choice(TOPICS) + r.choice(("", "", "-" + self.word(), "d", "ctl", "-operator"))
            p = r.random()
            if p < 0.45:
                return f"/{org}/{repo}" + ("/" if r.random() < 0.2 else "")
            if p < 0.6:
                return f"/{org}/{repo}/blob/{r.choice(('master', 'main'))}/{r.choice(('README.md', 'docs/' + self.slug(2) + '.md', 'CHANGELOG.md'))}"
            if p < 0.7:
                return f"/{org}/{repo}/releases/tag/v{r.randint(0, 4)}.{r.randint(0, 20)}.{r.randint(0, 9)}"
            if p < 0.8:
                return f"/{org}/{repo}/{r.choice(('issues', 'pull'))}/{r.randint(1, 40000)}"
            if p < 0.9:
                return f"/{org}/{repo}/tree/{r.choice(('master', 'main'))}/{r.choice(('examples', 'docs', 'deploy', 'charts'))}"
            return f"/{org}/{repo}/wiki/{self.slug(2).title()}"
        if host == "medium.com":
            tail = "%012x" % r.getrandbits(48)
            who = "@" + r.choice(PEOPLE) + self.word() if r.random() < 0.6 else r.choice(PUBS)
            return f"/{who}/{self.slug()}-{tail}"
        if host == "www.youtube.com":
            alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
            vid = "".join(r.choice(alpha + "-") for _ in range(10)) + r.choice(alpha)
            return f"/watch?v={vid}"
        if host in ("speakerdeck.com", "www.slideshare.net"):
            return f"/{r.choice(PEOPLE)}{self.word()}/{self.slug()}"
        if kind == "docs":
            p = r.random()
            if p < 0.4:
                return f"/docs/{r.choice(('latest', 'stable', 'v1', 'v2', str(r.randint(1, 9)) + '.' + str(r.randint(0, 12))))}/{r.choice(TOPICS)}/{self.slug(2)}" + ("/" if r.random() < 0.5 else ".html")
            if p < 0.6 or r.random() < query_p * 3:
                return f"/kb/article?id={r.randint(1000, 999999)}"
            if p < 0.8:
                return f"/reference/{r.choice(TOPICS)}/{self.slug(3)}/"
            return f"/guides/{self.slug()}"
        if kind == "short":
            alpha = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
            return "/" + "".join(r.choice(alpha) for _ in range(7))
        if r.random() < query_p:
            q = r.choice(("?id={}", "?p={}", "?page={}", "?article={}&lang=en", "?id={}&ref=rss")).format(r.randint(10, 99999))
            return r.choice(("/", "/index.php", "/blog/", "/view")) + q
        if kind == "home" or r.random() < 0.04:
            return r.choice(("/", "/", "/about/", "/docs/", "/blog/"))
        p = r.random()
        if p < 0.35:
            return f"/{y}/{m:02d}/{d:02d}/{self.slug()}/"
        if p < 0.5:
            return f"/blog/{self.slug()}" + ("/" if r.random() < 0.4 else "")
        if p < 0.62:
            return f"/posts/{self.slug()}.html"
        if p < 0.74:
            return f"/{y}/{self.slug()}"
        if p < 0.84:
            return f"/p/{self.slug()}-{r.randint(100, 99999)}"
        if p < 0.93:
            return f"/articles/{r.randint(1, 99999)}-{self.slug()}"
        return f"/news/{y}/{m:02d}/{self.slug()}" + ("/" if r.random() < 0.5 else "")


def issue_dates(n):
    weeks = (END - START).days // 7 + 1
    days = (END - START).days + 1
    out = []
    for k in range(n):
        f = k / (n - 1) if n > 1 else 0.0
        base = START + (timedelta(weeks=round(f * (weeks - 1))) if n <= weeks else timedelta(days=round(f * (days - 1))))
        secs = (k * 7919) % 21600                           # a time of day, 07:00 to 13:00
        out.append(base + timedelta(hours=7, seconds=secs))
    return out


def window(rng, profile, size):
    """Where (0 = 2012, 1 = 2026) a host's URLs are first cited: a sampler."""
    if profile == "full":
        return lambda: rng.random()
    if profile == "early":           # much cited in the early years, little later
        return lambda: rng.triangular(0.0, 0.45, 0.0)
    if size == 1:
        return lambda: rng.random()
    width = rng.uniform(0.15, 0.9)
    c = rng.uniform(width / 2 - 0.05, 1 - width / 2 + 0.05)
    a, b = max(0.0, c - width / 2), min(1.0, c + width / 2)
    return lambda: rng.uniform(a, b)


def build(name, s, seed):
    """Returns (dates, citations per issue [(url, fragment)], stats)."""
    rng = random.Random(f"{seed}:{name}")
    names = Names(rng)
    n_issues, n_urls, n_hosts = s["issues"], s["urls"], s["hosts"]
    dates = issue_dates(n_issues)
    # hosts and their sizes
    hosts = []                                              # (host, kind, size, profile)
    left_urls, left_hosts = n_urls, n_hosts
    for h, share, prof in s["fixed"]:
        size = max(1, round(share * n_urls))
        if left_hosts <= 1 or size > left_urls - (left_hosts - 1):
            size = max(1, left_urls - (left_hosts - 1))
        hosts.append((h, "docs" if h == VENDOR else "platform", size, prof))
        left_urls, left_hosts = left_urls - size, left_hosts - 1
    m, lo, hi = s["medium"]
    for _ in range(min(m, max(0, left_hosts - 1))):
        size = min(rng.randint(lo, hi), left_urls - (left_hosts - 1))
        if size < 1:
            break
        kind = rng.choice(("docs", "blog", "blog", "site", "short"))
        hosts.append((names.host(kind), kind, size, "host"))
        left_urls, left_hosts = left_urls - size, left_hosts - 1
    ones = min(round(s["ones"] * left_hosts), left_hosts - 1 if left_urls > left_hosts else left_hosts)
    for size in [1] * ones + power_sizes(left_urls - ones, left_hosts - ones, s["tail_max"]):
        kind = rng.choices(("blog", "site", "docs", "short", "home"), (50, 30, 8, 2, 10 if size == 1 else 0))[0]
        hosts.append((names.host("site" if kind == "home" else kind), kind, size, "host"))
    # distinct URLs, each with the issue first citing it
    urls = []                                               # (url, first issue)
    seen = set()
    both = s["both_schemes"]
    for h, kind, size, prof in hosts:
        pick = window(rng, prof, size)
        made = 0
        while made < size:
            k = min(n_issues - 1, int(pick() * n_issues))
            year = dates[k].year
            path = names.path(h, kind, dates[k], s["queries"])
            http_p = 0.1 if h in CAPPED else max(0.03, 0.75 - 0.07 * (year - 2012))
            scheme = "http" if rng.random() < http_p else "https"
            u = f"{scheme}://{h}{path}"
            if u in seen:
                continue
            seen.add(u)
            urls.append((u, k))
            made += 1
            if made < size and both and rng.random() < both:            # the other scheme, later
                other = ("https://" + u[7:]) if scheme == "http" else ("http://" + u[8:])
                if other not in seen:
                    seen.add(other)
                    urls.append((other, rng.randint(k, n_issues - 1)))
                    made += 1
    del seen
    # citations: every URL once in its first issue, then repeats in later issues
    per_issue = [[] for _ in range(n_issues)]
    for u, k in urls:
        per_issue[k].append(u)
    repeats = s["links"] - len(urls)
    popular = [urls[i] for i in rng.sample(range(len(urls)), max(1, len(urls) // 30))]
    while repeats > 0:
        u, k = rng.choice(popular) if rng.random() < 0.4 else urls[rng.randrange(len(urls))]
        if k < n_issues - 1:
            k = rng.randint(k + 1, n_issues - 1)
        elif rng.random() < 0.9:                            # rarely twice in one issue
            continue
        per_issue[k].append(u)
        repeats -= 1
    frag_p = s["fragments"]
    out = []
    for cites in per_issue:
        rng.shuffle(cites)
        out.append([(u, fragment(rng, u) if rng.random() < frag_p else "") for u in cites])
    top = sorted(hosts, key=lambda x: -x[2])[:2]
    stats = {"issues": n_issues, "links": sum(len(c) for c in out), "distinct_urls": len(urls), "hosts": len(hosts),
             "largest": [(h, size, size / max(1, len(urls))) for h, _, size, _ in top]}
    return dates, out, stats


def fragment(rng, u):
    if u.startswith("https://github.com/") and "/blob/" in u:
        a = rng.randint(1, 300)
        return f"#L{a}" + (f"-L{a + rng.randint(1, 30)}" if rng.random() < 0.5 else "")
    if "youtube.com" in u:
        return f"#t={rng.randint(10, 3000)}s"
    return "#" + rng.choice(("installation", "usage", "configuration", "comments", "summary", "conclusion",
                             "getting-started", "section-2", "step-3", "faq", "whats-new", "examples"))


def ordinal(d):
    return str(d) + ("th" if 10 <= d % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th"))


def sentence(rng):
    w = [rng.choice(TOPICS if i % 3 == 0 else WORDS) for i in range(rng.randint(8, 22))]
    s = " ".join(w)
    return s[0].upper() + s[1:] + "."


def link_lines(rng, u, frag):
    """One link in one of the syntaxes a newsletter mixes."""
    full = u + frag
    r = rng.random()
    if r < 0.60:
        return [sentence(rng), f"<br>[{full}]({full})"]
    if r < 0.75:
        return [f"{sentence(rng)[:-1]}, [{rng.choice(('this write-up', 'the post', 'a talk', 'the docs', 'here'))}]({full}) "
                f"covers {rng.choice(TOPICS)}."]
    if r < 0.85:
        return [f"{sentence(rng)} More at {full}" + rng.choice((".", "", " today.", ","))]
    if r < 0.95 or "&" in u:
        return [f"{sentence(rng)} See <{full}> for details."]
    return [f'<p>{sentence(rng)} <a href="{full}">{rng.choice(TOPICS)}</a></p>']


def render(rng, num, date, cites):
    title = f"OPS WEEKLY ISSUE \\#{num} - {ordinal(date.day)} {date.strftime('%B %Y')} "
    lines = ["---", f"title: {title}", f"date: {date.strftime('%Y-%m-%dT%H:%M:%S+00:00')}", "---", "",
             sentence(rng) + " " + sentence(rng), "", ""]
    i = 0
    if cites:
        lines += [f">From our sponsor, {rng.choice(SYL).title()}{rng.choice(SYL)}", "======================", "",
                  sentence(rng), f"<br>[{cites[0][0] + cites[0][1]}]({cites[0][0] + cites[0][1]})", "", ""]
        i = 1
    rest = len(cites) - i
    cuts = [i, i + round(rest * 0.45), i + round(rest * 0.8), len(cites)]
    for si, sec in enumerate(SECTIONS):
        lines += [sec, "=" * len(sec), ""]
        j = cuts[si]
        while j < cuts[si + 1]:
            n = 1 if rng.random() < 0.85 else rng.randint(2, 4)       # a series: several links, one blurb
            group = cites[j:min(j + n, cuts[si + 1])]
            if len(group) > 1:
                lines.append(sentence(rng))
                lines += [f"<br>[{u + f}]({u + f})" for u, f in group]
            else:
                lines += link_lines(rng, *group[0])
            lines += ["", ""]
            j += len(group)
    if rng.random() < 0.1:          # not links: code is not content
        lines += ["", "```", f"curl -s https://api.example.test/v{rng.randint(1, 3)}/{rng.choice(TOPICS)}", "```", ""]
    return "\n".join(lines) + "\n"


ISSUE_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}-\d+\.md$")


def write(name, s, seed, out):
    t0 = time.monotonic()
    dates, per_issue, stats = build(name, s, seed)
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    for fn in os.listdir(d):
        if ISSUE_FILE.match(fn):
            os.remove(os.path.join(d, fn))
    rng = random.Random(f"{seed}:{name}:text")
    first = 100
    for k, (date, cites) in enumerate(zip(dates, per_issue)):
        num = first + k
        with open(os.path.join(d, f"{date.strftime('%Y-%m-%d')}-{num}.md"), "w", encoding="utf-8") as f:
            f.write(render(rng, num, date, cites))
    stats["seconds"] = round(time.monotonic() - t0, 1)
    return d, stats


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("shapes", nargs="*", metavar="SHAPE", help="default: every shape but million")
    ap.add_argument("--out", help="folder to write each shape's folder into")
    ap.add_argument("--seed", default="1")
    ap.add_argument("--issues", type=int, help="override the shape's number of issues")
    ap.add_argument("--links", type=int, help="override the number of links (URLs and hosts scale along)")
    ap.add_argument("--list", action="store_true", help="list the shapes and exit")
    a = ap.parse_args()
    if a.list:
        for n, sp in SHAPES.items():
            print(f"{n:<9} {sp['issues']:>5} issues {sp['links']:>8} links {sp['urls']:>7} URLs "
                  f"{sp['hosts']:>6} hosts  {sp['about']}")
        return
    if not a.out:
        ap.error("--out is required")
    bad = [n for n in a.shapes if n not in SHAPES]
    if bad:
        ap.error(f"unknown shape(s) {', '.join(bad)}; known: {', '.join(SHAPES)}")
    if (a.issues is not None and a.issues < 1) or (a.links is not None and a.links < 1):
        ap.error("--issues and --links must be positive")
    names = a.shapes or [n for n, sp in SHAPES.items() if not sp.get("explicit")]
    print(f"{'shape':<9} {'issues':>6} {'links':>8} {'urls':>7} {'hosts':>6}  {'largest host (URLs, share)':<44} "
          f"{'next largest':<38} secs")
    for n in names:
        d, st = write(n, scaled(SHAPES[n], a.issues, a.links), a.seed, a.out)
        top = [f"{h} {size} {share:.1%}" for h, size, share in st["largest"]] + ["-", "-"]
        print(f"{n:<9} {st['issues']:>6} {st['links']:>8} {st['distinct_urls']:>7} {st['hosts']:>6}  "
              f"{top[0]:<44} {top[1]:<38} {st['seconds']:>4}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
