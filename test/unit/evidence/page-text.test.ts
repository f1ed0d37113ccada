import { describe, expect, it } from 'vitest';
import { decodeEntities } from '#shared/evidence/page-text.ts';
import { pageText } from '#shared/evidence/vendor-page.ts';

const HTML = 'text/html; charset=utf-8';

describe('pageText', () => {
  it('drops scripts, styles, noscript, templates and comments, whatever their case', () => {
    const html = `<p>Kept</p><SCRIPT type="module">alert("<p>not text</p>")</SCRIPT>
      <style>.x{}</style><noscript>Enable JavaScript</noscript><template><p>later</p></template>
      <!-- <p>commented out</p> --><p>Also kept</p>`;
    expect(pageText(html, HTML)).toBe('Kept\nAlso kept');
  });

  it('drops an unterminated script to the end rather than reading it as text', () => {
    expect(pageText('<p>Policy</p><script>var secret = 1;', HTML)).toBe('Policy');
  });

  it('keeps one line per paragraph, heading, list item and table row; runs of spaces as one', () => {
    const html = `<h2>Data
      we keep</h2><p>Name,   grade<br>and  class.</p><ul><li>One</li><li>Two</li></ul>
      <table><tr><td>A</td><td>B</td></tr></table><span>inline</span> <b>words</b>`;
    expect(pageText(html, HTML)).toBe('Data we keep\nName, grade\nand class.\nOne\nTwo\nA\nB\ninline words');
  });

  it('decodes named and numeric entities once, and leaves unknown ones as written', () => {
    const html =
      '<p>&copy; 2026 A&amp;B &ldquo;Vendor&rdquo; &#8212; &#x2019; &amp;lt; &bogus; &#0; &#xD800;</p>';
    expect(pageText(html, HTML)).toBe('© 2026 A&B “Vendor” — ’ &lt; &bogus; \ufffd \ufffd');
  });

  it('reads a non-breaking space as a space', () => {
    expect(pageText('<p>Privacy&nbsp;&nbsp;Policy\u00a0 2026</p>', HTML)).toBe('Privacy Policy 2026');
  });

  it('leaves text that only looks like markup in a plain text page, and a lone < in HTML', () => {
    expect(pageText('Use <b> for bold.\n\n\nSee  &amp; below', 'text/plain')).toBe(
      'Use <b> for bold.\nSee &amp; below',
    );
    expect(pageText('<p>if a < b and c > d</p>', HTML)).toBe('if a < b and c > d');
  });

  it('gives the same text for the same words in different markup (the hash watches wording)', () => {
    const before = '<div class="a"><p>We keep data for 30 days.</p></div>';
    const after =
      '<section id="new"><p data-x="1">We keep data\n for 30 days.</p><script>track()</script></section>';
    expect(pageText(before, HTML)).toBe(pageText(after, 'application/xhtml+xml'));
  });

  it('reads a hostile page of unclosed tags in one pass (2 MiB of `<a `)', () => {
    const hostile = '<a '.repeat(700_000);
    expect(pageText(hostile, HTML)).toBe(hostile.trim());
  });

  it('decodeEntities handles upper-case hex and named entities in any case', () => {
    expect(decodeEntities('&#X41;&AMP;&Eacute;')).toBe('A&é');
  });
});
