"""``save_animation``: an animation to a .gif, .mp4 or self-contained .html file, written atomically.

* ``.gif`` -- Pillow (a dependency of matplotlib), one palette shared by all frames:
  plays everywhere, in slides and in the README;
* ``.mp4`` -- H.264 through the ``ffmpeg`` program, which must be on ``PATH``;
* ``.html`` -- one page with every frame embedded (base64 PNGs) and a JavaScript
  player, no other file needed.

The frames are written to a temporary file beside the target, which replaces the
target only when it is complete: an error or Ctrl-C halfway leaves no half-written
file (and an earlier version of the file untouched).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from matplotlib import animation as mpl_animation

__all__ = ["save_animation", "SUFFIXES"]

SUFFIXES = (".gif", ".mp4", ".html")


def _fps(anim, fps):
    if fps is None:
        interval = getattr(anim, "_interval", 200) or 200
        fps = 1000.0 / interval
    if not fps > 0:
        raise ValueError(f"save_animation: fps must be positive, got {fps!r}")
    return fps


class _GifWriter(mpl_animation.PillowWriter):
    """Pillow's GIF writer with one shared palette for all frames.

    Pillow gives every frame its own adaptive palette, so the same background
    pixel gets a slightly different colour from frame to frame and each frame is
    stored whole. Quantizing every frame to one palette (taken from a few frames
    spread over the animation, so that colours appearing late are in it) keeps
    unchanged pixels identical, and the GIF stores only what moved: a fraction of
    the size for contour plots and decision regions.
    """

    def finish(self):
        from PIL import Image

        frames = [frame.convert("RGB") for frame in self._frames]
        picks = sorted({round(i * (len(frames) - 1) / 3) for i in range(4)})
        width, height = frames[0].size
        sample = Image.new("RGB", (width, height * len(picks)))
        for row, index in enumerate(picks):
            sample.paste(frames[index], (0, row * height))
        mediancut = getattr(Image, "Quantize", Image).MEDIANCUT  # the enums arrived in Pillow 9.1
        no_dither = getattr(Image, "Dither", Image).NONE
        palette = sample.quantize(colors=256, method=mediancut, dither=no_dither)
        indexed = [frame.quantize(palette=palette, dither=no_dither) for frame in frames]
        indexed[0].save(self.outfile, save_all=True, append_images=indexed[1:], duration=int(1000 / self.fps),
                        loop=0, optimize=False)


def _writer(suffix, fps):
    if suffix == ".gif":
        return _GifWriter(fps=fps)
    if suffix == ".mp4":
        if not mpl_animation.writers.is_available("ffmpeg"):
            raise RuntimeError(
                "save_animation: writing .mp4 needs ffmpeg, which is not installed (not found on PATH); "
                "install ffmpeg (e.g. apt-get install ffmpeg, brew install ffmpeg, conda install ffmpeg) "
                "or save as .gif or .html instead")
        return mpl_animation.FFMpegWriter(fps=fps, codec="h264", extra_args=["-pix_fmt", "yuv420p"])
    return mpl_animation.HTMLWriter(fps=fps, embed_frames=True, default_mode="loop")


def save_animation(anim, path, fps=None, dpi=100, progress=None):
    """Save ``anim`` by the suffix of ``path`` (.gif, .mp4 or .html); returns the path.

    ``fps`` defaults to the animation's own pace (1000 / interval ms). ``dpi``
    sets the resolution of each frame (100 makes a 10 × 6 inch figure 1000 × 600
    pixels). ``progress(done, total)`` is called after each rendered frame (a
    progress bar). The file appears only once complete. Raises ValueError for
    another suffix and RuntimeError for .mp4 without ffmpeg.
    """
    if not isinstance(anim, mpl_animation.Animation):
        raise TypeError(f"save_animation needs a matplotlib animation (from viz.animate_*), got {type(anim).__name__}")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"save_animation: cannot write {path.name!r}; use one of the suffixes {', '.join(SUFFIXES)}")
    if not dpi > 0:
        raise ValueError(f"save_animation: dpi must be positive, got {dpi!r}")
    writer = _writer(suffix, _fps(anim, fps))
    callback = None
    if progress is not None:
        total = getattr(anim, "n_frames", None)

        def callback(i, n):
            progress(i + 1, total or n)

    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=f".{path.stem}.",
                               suffix=suffix)
    os.close(fd)
    try:
        anim.save(tmp, writer=writer, dpi=dpi, progress_callback=callback)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; a saved file has the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
