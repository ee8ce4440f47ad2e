package ai.fastai4j.io.torch;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.zip.GZIPInputStream;

/**
 * Small {@code .pth} files written by Debian's python3-torch 1.13 (then gzip -9n and base64), made by:
 *
 * <pre>{@code
 * import torch, base64, io
 * torch.manual_seed(0)
 * sd = torch.nn.BatchNorm1d(2).state_dict()          # OrderedDict with _metadata, num_batches_tracked 0-d int64
 * sd['f32'] = torch.arange(6, dtype=torch.float32).reshape(2, 3) / 4
 * sd['f64'] = torch.tensor([1.5, -2.25], dtype=torch.float64)
 * sd['i64'] = torch.tensor([[-1, 2**40], [3, 4]])
 * sd['u8'] = torch.tensor([0, 7, 255], dtype=torch.uint8)
 * sd['bool'] = torch.tensor([True, False, True])
 * sd['f16'] = torch.tensor([0.5, -3.0], dtype=torch.float16)
 * sd['i32'] = torch.tensor([-7, 9], dtype=torch.int32)
 * sd['i8'] = torch.tensor([-128, 127], dtype=torch.int8)
 * sd['i16'] = torch.tensor([-300, 5], dtype=torch.int16)
 * sd['bf16'] = torch.tensor([1.5, -2.0], dtype=torch.bfloat16)
 * sd['transposed'] = torch.arange(12, dtype=torch.float32).reshape(3, 4).t()
 * sd['permuted'] = torch.arange(24, dtype=torch.int64).reshape(2, 3, 4).permute(2, 0, 1)
 * base = torch.arange(10, dtype=torch.float32)
 * sd['strided'] = base[2:9:3]
 * sd['base'] = base
 * sd['scalar'] = torch.tensor(3.25)
 * sd['empty'] = torch.zeros(0, 3)
 * sd['param'] = torch.nn.Parameter(torch.full((2,), 0.5))
 * sd['num_batches_tracked'].fill_(7)
 * def b64(obj, **kw):
 *     buf = io.BytesIO()
 *     torch.save(obj, buf, **kw)
 *     return base64.b64encode(buf.getvalue()).decode()
 * small = torch.nn.BatchNorm1d(2).state_dict()
 * small['t'] = torch.arange(6, dtype=torch.float64).reshape(2, 3).t()
 * for name, s in [('P2', b64(sd)), ('P4', b64(sd, pickle_protocol=4)), ('SMALL', b64(small)),
 *                 ('LEGACY', b64(small, _use_new_zipfile_serialization=False))]:
 *     open(name + '.b64', 'w').write(s)  # then gzip -9n and base64 again for this class
 * }</pre>
 */
final class TorchFixtures {
    private TorchFixtures() {
    }

    /** The full state dict {@code sd}, default pickle protocol 2. */
    static final String P2 = ""
            + "H4sIAAAAAAACA7WYa3BTRRTHbx5N21Da0gItolABNSiPJG3TVB4tASMQkPbiI9ZHvE0vTSRNem42BVSgCi3gEwEVH0B9v5/4"
            + "Al8VvvjVGXX84ojjCDPOOOP4Cflg3b27Se/ulQaa8Q7LKcn+f+fs2b3nbGkL2eySVFIimZ5KqUpStGgs3qcu7FKQsqB3YyIY"
            + "KJc6uKffGo2mEgk1iuKpZNq5TutSNbVrRTyKnCDNlcHiCjswbJMa744hsEZRCiMXRDIonkg7I5ramYknuiJITaZTWqTP6wSb"
            + "yxUuxoo0nql0q2CnEmcwkVLQevqhE4rCFjzHDY6wDdtobwaKQ1YEJe0hKWQdgNKQZQCce2IkggkIymSYGMbLlDrjShrKY9hH"
            + "zB6jDA9UxHRtJdNOItoqqq1GMFmGKeEyPFHLJJPxZHekR1WSMJVjeKGGMmoZYxphXEIZ0xFcKsNl4QkGRp+iwQwOUQ8zKaKO"
            + "IS4niFkUMRvBHBmuCFfjiclMT6RTQdGYmo4gTYluVLvgSopimVqTSnbnEnWVTm8AF6ZbEMzF9LlzKfVqBNfIME/P4IZ6L8zn"
            + "AmqEBVjiQLBQDyhkGwR3yBayDIKHyr0I6mVooHJfAzRyQaxIZToTai4Mn870QRNdpJ8tspks8lrKW4RgsQxLdF4c85aycOgK"
            + "mqAFS+0IWmk41kFYhg0OJ0DlyxGskOG6sBVPzvghyEUT2IJGY7leB/phJQbaEKwiQNsArCaxhChsDYK1MtxAz0wqlYB1PA5/"
            + "lMO16bhmaKc4meHWE9yNFHcTgptluIWmyuODMEdbqSQ25Gi36gvwuKGDZuo2lqnbCe4OirsTQUSGu2im8MYpHG5VcvQ16aQ0"
            + "D0QprYvRVELbQGndCGIyxPWZcT/czcGWxxQtR9tIaV5IUFoPoyUJLUVpvQhABo3Ghpea5nDrYyltNDpEefWQobw+xttEeJsp"
            + "bwuCe2S4l+4Eyd19/E7oZcHjyzG3UmYDbKPM7YzZT5j3U+YDCHbIsDPsxDPxK5RM96bS+C0ayJ1/HdEIgxhRhmAXQdjJC7A7"
            + "ZAnZB2EPxTyI4CEZHg6T2tmraj0ZhCGP5E6tDvHBoxhSi+AxCsHv0S7YizFlIfsueJyC9iHYL8MBVva0eBfmPMEH0wRPYo4T"
            + "wVPthDEAB8lfT1P9MwieleE5miMlrcKhrDjGVIeJd+cAHCFZGKKq5xG8IMOLenlOR5UELkkv8U798DKtGq8YqsarCF6T4fVw"
            + "EZ6h9vSiLfAGr2qGN7FKQvAWcSqRvL1NC8c7lPAugvdkeF8n9Cqa0gMfnKct6N+qSNWccJRz4nXDh3R/P2L7+zFZ2SfUwacI"
            + "jslwfLf+j892wecyfJHZCl+GS7EU12+kkH4GX+nfD4dJs4Ovt8IJfQP6VC2NWxmcDFnT6XTngrZQccnvvmmtv+A8kdF23oZZ"
            + "Ls3mGuZCdzAwU2iXpkeS+lvIIG72tju+J1wyxnKzmHfjCQb8+dyM4Z8+xH/851lqfv8V0iLBP15n03gDkPzSCeL7tW9u3kbO"
            + "rz2P7xbBN178onEvHj9/j4yMlLL1/3Xs4IrxrN9bwPr7txPP006fOk7OtTWP52WC5/pgYEkhq+/o+O6fIn3ta2+LrB5P/hsK"
            + "zP9wizRM/Be3d/w6Hv+NBfqnXPIOSq34Dx79eAzhMYzHKTxw0qVKPOrwcC8jsW7eumGpm1w/88RaLcTqCwYqpPO8fxZmrcza"
            + "mLUzW8Ssg9liZrOOS5l1MjuB2TJmJ+aqRza67C2fPpOYrWK2mtnJzE5hdiqzNYa60fxe6sgw/nk4Tz6WC/loCgZaCju9F75/"
            + "en078/JpF/7AlSfO6UKc/mCgRjqv/7ZWwv7x5Ow/+PMrXdD5bS7w/I7VJybzvnCZqpT+h/rvLaj+SxLZO73/2X5q/HMc/a++"
            + "sP5XcP9tKMR/sSH/vT+cSY3Df2Ph/b9/Kd2H1haajyE9H/JvZ2bW4i9q88Qzj48HlzmXdHH+z7aw6qf3glLXuU8qWW0ay28D"
            + "7xeXE/dF52GEPdkiLNZdEs+xtZXn6vDPdXnimcPHg8tGXd54pOIR4iI8ZD1kY2V/LBfCBaC54P5vkSzE/9EdO/fk91+Ba2zW"
            + "P7snBwOLCwqg3kncf3u4+6bR+49Fb4LZAIyX70pTSOL/UIlq4ztdzik9xZJwXRe1xnrIaw+KWo+oNd5nKzhtbYmoNTk2XkR5"
            + "8QGT2OTZeJcUPJeKYq8oNl4DefE+k7heFBvvcLx4slMUN4hi46VKWLNJ3CiKjTcQXtw6QRT7TNtsuBbw4rYyUdwkio19nxef"
            + "NYn9WfF/Xw2Mz40TRXHzhZ/OYVFs2mZjpxXOSLmodV/4K3VQFJuOiLHF8draCkFrOiHGdiT4FbWmA2JsKbzWVSloTefDWP55"
            + "7ZCoNR0PY13nte5JgtYvao01mdfuF7Wmw2EsqPwGV1dJYg1vCzkc89jXM2zzc1NrBKuxX0L2VWV7o0O/vthrR3+HaQsVOaim"
            + "Rp9P5/4Lj+3HO2YYAAA=";

    /** The same with {@code pickle_protocol=4} (FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL). */
    static final String P4 = ""
            + "H4sIAAAAAAACA7WYTWwbRRTHx7v+tpO4SWiCkCACDo5UUn8lsdWPpG5kAUuFkwCKwsFd25vYquO1dteBShQioA2V9oDUReIC"
            + "5FKJIxIHKKcIOHBFFMgFUQnRcEGqOEEPhJn1bDwzm9iJV6wyes56fvN/M/PmzUvyAu8GwO8HticCBoGolCrVdel0WdTEicaV"
            + "Wi7bD5apZ8P9wRueFqCHSnKtJpW0qlxXDT30olKWFKk8Vy1pxi1jfMGI6t7XpOpqRTP0sCbDoScKTa1ag30HC4pUbFZr5YIm"
            + "1VVZKawnIBKN6j4VdhRXJUP3mAQkczVZ1Bbx61uG7ooZOl9qNA2B04x5AQjcdUNwXTduVjioqRkLhu4uVkXVqPii0Yq/EtJd"
            + "caPSd3jvsNKs16v11cKaJNYJKtGRClnUuqgQULIjNFRvrhWKolaqSGpBU8TSFalswQE99IJcXyVnmkKDuczBxseJYfiVZILQ"
            + "nETdvFhT4G8YAi+4bhgUMJVq6/TNyc1iTSKVpjq6zVfb+ITumkad3ZYeB/U4Ro9rpolpZa9qlFga8XyL5w/YPFmukTT8laQz"
            + "HWl+JT5FwM+KtRUC5uKxLhNtL2xADz5X1yi4cxxxVXLSFyuiQsGJLsqk3+HFiqzQ2p0Dy12k5j2QNU9NfIoaItVxiCCMx7ra"
            + "kNV2SIYgZAZXuAW5zeByCW5qs/0NSVlram1sAmJmQI1aGIzKTQSGBfcmicLjrlTLtKAZXUFEcub+8sxERVXa7165bfUFQtA2"
            + "I69aEmvk6eTi6UNOlEdaa2hXyZ5mmIHW0ODAQ+VpiIq4ZlQ8RDozX0mapMAVbw+W6Bh175mfNuGn5jVDD8A0pIkoARvmex0Y"
            + "8K1vXVJUmGfhUVNVtTiRF3z+t4dqlzdhLkYtf2ha7wfnqLR+OpbLZpikfowHgI0Z1JAD7897f0SKqHVy4CztQDyXTYPe9VsP"
            + "0q/++qTUXX8AnGH04QpM9+oASIOvkfan373yJhQE7i7aM4w2nPyZ3ld/efmfvb29AJ7/X3c+nOtl/gkH8994Cyk/ev/eVxwc"
            + "m+uifIFRTuay55zMfnn57r8ec+6XXi0838v6pxyu//YM2Eb6vvnl33rRn3So3xoXnUEwC39g24BtC7Zt2O7BBhcdRGAbgy12"
            + "Afn6+rWV8zH4RayLr0OMr1O57AA45Py5sOWw5bF1Y4trRODF1oetJRzANohtCNswtn372cPyzqpSW88JbAexHcJ2GNtHsD2J"
            + "7QiRNzKfyZ9sw8/bXdbjIrMe07nsjLPoPfr+mflt9/b9KHwR7eLnY4yf6Vx2BByqn59FY+9889SfdPyCI8VvxmH8dronhmkt"
            + "mKYi4H/I/wlH+R8AtHfm/cf/Mvmgh/sv6ez+c3z/ppzo+4j1b/y0K/egP+n8/t8439qH2ZnWemyZ67Hw++4To/CL0S7+nKL9"
            + "gWkuCo6n//cMzn7mXRCIPvwignNTJ90UrQvTSezY67CHHysJs3kX+XPnUuThGPw81sWfp2l/YNoY6+oP8O0hiaUt7iMep/1O"
            + "EkwBkHF8/7uAC+l//s67N7vrD8Aca+njAjqXPevIgWQQyX//8erL7frHZV6ClgNkWR6xucT+h4WlyTPdT5E/ewBTyLMsmQ9p"
            + "dsnLsHGWJevZAYrdsbE2YbIQpeGXfCxsUyZrSUbZBidYmCwDaXjBz8JJFiZrOBq+a4NTLEwWVcycAyw8ycJkBULDqCBiqjDb"
            + "NhNlAQ1HQiw8zcLkvU/DX9rgtAUfXBqQz3CYhTNHj84NFrZtM3nTMjFiY2NHP1JLfQxsCxHyiqPZHZa1RQh5HTG6/QxrCxDy"
            + "SqHZP1jWFh9k+qfZywMMawsPMq/T7AOWTbMsmZNpdjHCsLbgIBMqvcE/ECzO4XnB6z2Fv36cf2a/6whjFfxHyMIJ6270muXL"
            + "tyfbf8PkBY+3xYyY/Vt9/wPI4qf0JhcAAA==";

    /** {@code small}: BatchNorm1d(2) plus a transposed float64 {@code t}. */
    static final String SMALL = ""
            + "H4sIAAAAAAACA8WVy27TQBSGx3bqpG5JQlug5VKg3BLaprnScpFaRVU2BpEGIVlsLMexYqup02NPwqpSN63EjiUbEC+CxCuw"
            + "YM2CF4AFe2Y8JoqnogotUkcancQ+//cfz5yx66oUQyiRQEdGGk0hwzNtp2+ttAxs5Ha3O7VqEr2KjH3RNLudjmVip+v6ynOv"
            + "ZXlWa9MxsQIo2wAho8kE9tpy2jYG0cRdgszpPex0fEX3rGbP6bR0bLl+19P7RQWkTEaLE4VPMo22BTEmUWqdroFfsIsKjGkC"
            + "ycmDrEkkmrs9iKsihsSWilTxAMZV4QCUNzatYALDZAPOaeQxUdMxfEjaxMOO2YxRgJQdaNOh9jzVTjHtNIaZBlzQJkmi13Nd"
            + "x23rO5bhwsUIowiXGGM2ZMxRxmXGuILhagOuaRNDjL7hwXwEUYLrDHEjRNykiAWGuIXhdgPuaNMk0e3t6E0Dm7bl69gzzG2r"
            + "BXcZKlypp123PVioewG9DBlCFzBkCT2bZdT7GBYbsBQkYFiOMDa7vWbHGlByQVIFVghFxpCnNUqqeAgFVVClQygyYglDuQGV"
            + "3h480MaJgKwVNmjvwGpwf02jjQUP9+BRsMd9y/NJ28BjVfR9v5mrq/HEp/xH7ZmIEJ31vzZnEq1GmnMlX6uWuNYcaSC0v04n"
            + "tX67JX+lXnQeZ/0kal2oVddOYh36s0H9nW8L1gn8i2fsXzqd/6nXv3zGz1/5H/5s/FgPf2ywkAhjOowzG7TOOWHxZ56+/o6t"
            + "M4WmB3WGB61WTfGFlhRK/PKh/ZKcNyQGREEMvEPm8IFMH3HhvxC8enhPkxHlexFxR5jXDu9HVDsrcdrC6Np3vLY4es2zMU5b"
            + "+gdfXlvmtcP7yvmOcdoKrx3ewVRE+3lIG/ZBXZXlpfD2vLQ8SE1w8bvA4pT855DI9LWNfsXZfyG4NiYzTSLIZ7m/AYfpzNdX"
            + "CAAA";

    /** {@code small} in the legacy (pre-1.6, non-zip) format. */
    static final String LEGACY = ""
            + "H4sIAAAAAAACA3WSS2/TQBDH/Yrbui0EWh7l1fJ2eIQ0JCGBQ3uoejFPc9kLshx7FRtcO+NdB4EUKZdWwGfgA/DVuHFF4sA4"
            + "65bUKivZuzs78/vPzs5E+WZEf77v/t54/+P1Wn2ivPip4n8MkkmqkiQN04QnXhI5I5qyMIlBRgeyjCdRyHlEHRr7oRuD8oUY"
            + "aOSfhtRh4WfKQB2DZpIKGlmQpBwqlkJU3IUxB93SiJYzkngAc5aWZajpoUxEPY4qzHiV+jSl/k7ocQOkmg2ySXSM+EjDQcBB"
            + "8XiSekHdyXgYMcNJaT8LI9/hNGZJ6oyaBqimSeZydfR0BxQ0EWLsRonL3wqjARWygD7NRqvd67Z6HdCnOXrDDNNSXnKYf2NJ"
            + "lrIPC5a8D8bXIE9lkcOSDcvTG/RDl8GpAMUCLZiB9TbbTTgdCEi1gJzJIWcFZIXDqg3nyBJGpFkch/HA2aNYyfMnwLqNLlwo"
            + "YBcL2FoOuyRglzlcseEqWZyBjdwUrpVZnUaj0erCesHaKFjXc9YNwbrJ4ZYNt8kKRsTZntN3uRdQ5vDU9T5QH+4IZlHN5/iC"
            + "R8W8OyOTF9NEGRllaihTqwn8PQ73bXhA5Lxb4OEx2E6S9SN6hKvP4Nq9JjxCnI64Rp61aikHsGnJlnoATYF+zKFlQzsbQ2ca"
            + "ifXkru9yF55Mz7sEjRL0xvB02hmHLf3MUhhjfWzBd3nbH28IufSmSulZ1FJptVINKqVL6LSuSIdjspV///Zi/H8v/OXSuS6d"
            + "NH5tFYttMc0Xc7WYV7f/AgN/AT/8AwAA";

    /** The {@code .pth} bytes of one of the constants. */
    static byte[] bytes(String gzBase64) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(gzBase64)))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
