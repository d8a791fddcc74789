// How long a caption is, measured the way each platform measures it: the live twin of
// publishing/caption_length.py (same names, same patterns). The browser tests type the same
// strings into the dialog and compare these numbers with the server's.
window.captionCount = (() => {
  const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });
  const EMOJI = /[\p{Extended_Pictographic}\u{1F1E6}-\u{1F1FF}\u20E3]/u;
  const SPACE = " \\t\\n\\r\\f\\v\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  const TLDS = "com|org|net|edu|gov|io|co|ai|app|dev|me|ly|tv|gg|info|biz|xyz|uk|de|fr|es|it|nl|eu|jp|cn|ca|au|us|in|br";
  const URL = new RegExp(
    "(?<![A-Za-z0-9_@.-])" +
      `(?:https?://[^${SPACE}]*[^${SPACE}.,;:!?'")\\]]` +
      `|(?:www\\.)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\\.)+(?:${TLDS})(?![A-Za-z0-9-])` +
      `(?:[/?#](?:[^${SPACE}]*[^${SPACE}.,;:!?'")\\]])?)?)`,
    "giu",
  );
  const X_URL_WEIGHT = 23;
  const X_LIGHT_RANGES = [
    [0x0000, 0x10ff],
    [0x2000, 0x200d],
    [0x2010, 0x201f],
    [0x2032, 0x2037],
  ];

  const graphemeList = (text) => Array.from(segmenter.segment(text), (part) => part.segment);
  const utf8Bytes = (text) => new TextEncoder().encode(text).length;
  const isLight = (code) => X_LIGHT_RANGES.some(([start, end]) => start <= code && code <= end);

  function xWeigh(text) {
    let total = 0;
    for (const grapheme of graphemeList(text)) {
      if (EMOJI.test(grapheme)) total += 2;
      else for (const char of grapheme) total += isLight(char.codePointAt(0)) ? 1 : 2;
    }
    return total;
  }

  const measures = {
    code_points: (text) => Array.from(text).length,
    utf16_units: (text) => text.length,
    utf8_bytes: utf8Bytes,
    graphemes: (text) => graphemeList(text).length,
    emoji_as_bytes: (text) =>
      graphemeList(text).reduce((sum, g) => sum + (EMOJI.test(g) ? utf8Bytes(g) : Array.from(g).length), 0),
    x_weighted: (text) => {
      text = text.normalize("NFC");
      let total = 0;
      let position = 0;
      for (const link of text.matchAll(URL)) {
        total += xWeigh(text.slice(position, link.index)) + X_URL_WEIGHT;
        position = link.index + link[0].length;
      }
      return total + xWeigh(text.slice(position));
    },
  };

  return (text, measure) => measures[measure](text);
})();
