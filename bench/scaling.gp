# gnuplot script of bench/scaling.sh: two panels from its TSV.
#   gnuplot -e "tsv='scaling.tsv'; out='scaling.png'; title='...'" bench/scaling.gp
# Columns: 1 instances, 6/7 RSS bytes per instance seeded/warm, 12/13 single request gzip/plain
# ms, 14/15 wrk gzip p50/p99 ms, 17/18 wrk plain p50/p99 ms, 8/9 cold JSON plain/gzip ms.
set terminal pngcairo size 1400,560 font "sans,10"
set output out
set datafile separator "\t"
set datafile commentschars "#"
set multiplot layout 1,2 title title
set logscale xy
set grid
set key top left
set xlabel "instances"
set xrange [600:160000]
set xtics ("1k" 1000, "10k" 10000, "100k" 100000)
set ylabel "ms (log scale)"
set title "GET /eureka/apps, JSON: latency"
plot tsv using 1:14 with linespoints lw 2 title "gzip, wrk p50", \
     tsv using 1:15 with linespoints lw 2 title "gzip, wrk p99", \
     tsv using 1:12 with linespoints lw 2 title "gzip, single request (1 connection) p50", \
     tsv using 1:17 with linespoints lw 2 dt 2 title "plain, wrk p50", \
     tsv using 1:18 with linespoints lw 2 dt 2 title "plain, wrk p99", \
     tsv using 1:13 with linespoints lw 2 dt 2 title "plain, single request (1 connection) p50", \
     tsv using 1:8 with linespoints lw 1 dt 3 title "plain, first fetch after seeding (builds it)", \
     tsv using 1:9 with linespoints lw 1 dt 3 title "gzip, first gzip fetch (after the plain one)"
unset logscale y
set ylabel "bytes of RSS per instance"
set yrange [0:*]
set title "Memory: (RSS - RSS of an empty node) / instances"
plot tsv using 1:7 with linespoints lw 2 title "caches warm (JSON+XML, plain+gzip)", \
     tsv using 1:6 with linespoints lw 2 title "seeded, before any fetch"
unset multiplot
